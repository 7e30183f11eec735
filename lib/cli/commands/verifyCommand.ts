import type { Command } from 'commander';
import type { ClerkMachineApi } from '../../clerk/ClerkClient.ts';
import { Stage } from '../../constants.ts';
import { ClerkApiError, ErrorCode } from '../../errors.ts';
import type { Redacted } from '../../Redacted.ts';
import { parseMachineSecret } from '../../secretFormat.ts';
import type { CliContext } from '../CliContext.ts';
import { EXIT_CODES_HELP, ExitCode } from '../ExitCode.ts';
import { CliErrorCode, OperationError, type ReasonCode, UsageError } from '../errors.ts';
import { formatInstant, formatRelative } from '../formatTime.ts';
import { parseSecretId } from '../optionParsers.ts';
import { readSecretSnapshot } from '../readSecretSnapshot.ts';
import { INSTANCE_KEY_MISSING, readInstanceKeySecret, resolveInstanceKeySecret } from '../resolveInstanceKey.ts';
import { runbookLink } from '../runbookLink.ts';
import type { ActionRunner } from './ActionRunner.ts';

interface VerifyOptions {
  readonly instanceKeySecret?: string;
}

type CheckStatus = 'pass' | 'fail' | 'info' | 'skip';

interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  readonly code?: ReasonCode;
}

async function accepts(clerk: ClerkMachineApi, key: Redacted, machineId: string): Promise<boolean> {
  try {
    await clerk.verifyMachineKey(key, machineId);
    return true;
  } catch (error) {
    if (error instanceof ClerkApiError && error.code === ErrorCode.clerkUnauthorized) return false;
    throw error;
  }
}

async function verify(ctx: CliContext, secretId: string, options: VerifyOptions): Promise<ExitCode> {
  const { output } = ctx;
  const store = ctx.store();
  const clerk = ctx.clerk();
  const snapshot = await readSecretSnapshot(store, secretId);
  if (!snapshot.current.ok) {
    throw new OperationError(snapshot.current.error.code, snapshot.current.error.message);
  }
  const current = snapshot.current.secret;
  const source = resolveInstanceKeySecret({ option: options.instanceKeySecret, tags: snapshot.tags, env: ctx.env });
  if (source === undefined)
    throw new UsageError(`verify reads Clerk's current key, and there is ${INSTANCE_KEY_MISSING}`, 'verify');
  const instanceKey = await readInstanceKeySecret(store, source);
  const now = ctx.clock.now();
  const checks: Check[] = [];

  const currentAccepted = await accepts(clerk, current.secretKey, current.machineId);
  checks.push(
    currentAccepted
      ? {
          name: 'current-key-works',
          status: 'pass',
          detail: `AWSCURRENT's key (version ${snapshot.current.versionId}) authenticates at Clerk`,
        }
      : {
          name: 'current-key-works',
          status: 'fail',
          detail: `Clerk rejects AWSCURRENT's key (version ${snapshot.current.versionId}): apps reading AWSCURRENT fail`,
          code: ErrorCode.clerkUnauthorized,
        },
  );

  const clerkKey = await clerk.getMachineSecretKey(instanceKey, current.machineId);
  checks.push(
    clerkKey.equals(current.secretKey)
      ? { name: 'current-key-is-clerks', status: 'pass', detail: "AWSCURRENT's key is Clerk's current key" }
      : {
          name: 'current-key-is-clerks',
          status: 'fail',
          detail:
            "AWSCURRENT's key is not Clerk's current key: the machine was rotated outside this secret (dashboard, a lost response); it stops working when that rotation's overlap ends. Rotate now: the next createSecret adopts Clerk's key",
          code: CliErrorCode.currentKeyStale,
        },
  );

  const previous = await store.getValue(snapshot.arn, { stage: Stage.previous });
  if (previous === undefined) {
    checks.push({ name: 'previous-key-overlap', status: 'skip', detail: 'no AWSPREVIOUS version' });
  } else {
    let previousKey: Redacted | undefined;
    let machineNote: string | undefined;
    try {
      const parsed = parseMachineSecret(previous.secretString, `AWSPREVIOUS of ${snapshot.name}`);
      if (parsed.machineId !== current.machineId)
        machineNote = `AWSPREVIOUS is for another machine (${parsed.machineId})`;
      else previousKey = parsed.secretKey;
    } catch (error) {
      machineNote = `AWSPREVIOUS is not a machine secret (${(error as Error).message})`;
    }
    if (previousKey === undefined) {
      checks.push({ name: 'previous-key-overlap', status: 'skip', detail: machineNote ?? 'AWSPREVIOUS has no key' });
    } else if (previousKey.equals(current.secretKey)) {
      checks.push({
        name: 'previous-key-overlap',
        status: 'skip',
        detail: 'AWSPREVIOUS holds the same key as AWSCURRENT',
      });
    } else {
      const previousAccepted = await accepts(clerk, previousKey, current.machineId);
      const expiresAt =
        current.previousKeyExpiresAt === undefined ? undefined : Date.parse(current.previousKeyExpiresAt);
      const works = previousAccepted ? 'Clerk still accepts it' : 'Clerk rejects it';
      if (expiresAt === undefined) {
        checks.push({
          name: 'previous-key-overlap',
          status: 'info',
          detail: `AWSPREVIOUS's key (version ${previous.versionId}): no previousKeyExpiresAt recorded; ${works}`,
        });
      } else if (expiresAt > now) {
        const until = `${formatInstant(expiresAt)} (${formatRelative(expiresAt, now)})`;
        checks.push(
          previousAccepted
            ? {
                name: 'previous-key-overlap',
                status: 'pass',
                detail: `AWSPREVIOUS's key (version ${previous.versionId}) is inside its overlap until ${until} and Clerk accepts it`,
              }
            : {
                name: 'previous-key-overlap',
                status: 'fail',
                detail: `AWSPREVIOUS's key (version ${previous.versionId}) should work until ${until}, but Clerk rejects it: apps still on the previous key fail now`,
                code: ErrorCode.overlapExpired,
              },
        );
      } else {
        const ended = `${formatInstant(expiresAt)} (${formatRelative(expiresAt, now)})`;
        checks.push(
          previousAccepted
            ? {
                name: 'previous-key-overlap',
                status: 'info',
                detail: `AWSPREVIOUS's key (version ${previous.versionId}): its overlap ended at ${ended} by the secret's record, yet Clerk still accepts it (Clerk counts the overlap from its own rotate)`,
              }
            : {
                name: 'previous-key-overlap',
                status: 'pass',
                detail: `AWSPREVIOUS's key (version ${previous.versionId}): its overlap ended at ${ended} and Clerk rejects it, as expected`,
              },
        );
      }
    }
  }

  const ok = checks.every((check) => check.status !== 'fail');
  if (output.json) {
    output.document({
      ok,
      secret: { name: snapshot.name, arn: snapshot.arn },
      machineId: current.machineId,
      instanceKeySecret: source,
      checks: checks.map((check) => ({
        ...check,
        code: check.code ?? null,
        runbook: check.code === undefined ? null : runbookLink(check.code),
      })),
    });
  } else {
    const { styles } = output;
    const marks: Record<CheckStatus, string> = {
      pass: styles.ok('ok  '),
      fail: styles.bad('FAIL'),
      info: styles.warn('note'),
      skip: styles.dim('skip'),
    };
    output.line(`Verifying ${snapshot.name} (${current.machineId}) against Clerk`);
    for (const check of checks) {
      output.line(`  ${marks[check.status]}  ${check.detail}`);
      if (check.code !== undefined) output.line(`        runbook: ${runbookLink(check.code)}`);
    }
    output.line(ok ? styles.ok('verified') : styles.bad('verification failed'));
  }
  return ok ? ExitCode.ok : ExitCode.failed;
}

export function registerVerifyCommand(program: Command, run: ActionRunner): Command {
  return program
    .command('verify')
    .description(
      "Check the keys against Clerk: AWSCURRENT's key authenticates and is Clerk's current key; AWSPREVIOUS's key works while inside its overlap (AWSCURRENT's previousKeyExpiresAt).",
    )
    .argument('<secret>', 'the machine secret (name or ARN)', parseSecretId)
    .option(
      '--instance-key-secret <id>',
      'the secret holding the Clerk instance key (default: the secret tag clerk-rotator:instance-key-secret-id, then env CLERK_SECRET_KEY_SECRET_ID)',
    )
    .addHelpText(
      'after',
      `
Checks (exit 1 if any fails):
  current-key-works      GET /m2m_tokens with AWSCURRENT's key (no token is minted)
  current-key-is-clerks  GET /machines/{id}/secret_key with the instance key equals it
  previous-key-overlap   before previousKeyExpiresAt Clerk must accept AWSPREVIOUS's key;
                         after it, a rejection is expected (acceptance is only noted)
${EXIT_CODES_HELP}`,
    )
    .action(
      run('verify', (ctx: CliContext, [secretId]: string[], options: VerifyOptions) =>
        verify(ctx, secretId ?? '', options),
      ),
    );
}
