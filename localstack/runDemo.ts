import { createHash } from 'node:crypto';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createClerkClient } from '../lib/clerk/ClerkClient.ts';
import { ClerkApiError } from '../lib/errors.ts';
import { Redacted } from '../lib/Redacted.ts';
import { parseMachineSecret } from '../lib/secretFormat.ts';
import { startLocalStack } from './startLocalStack.ts';

export interface DemoOptions {
  readonly write: (line: string) => void;
  readonly color: boolean;
  /** The overlap the demo configures (seconds). @default 3600 */
  readonly previousKeyTtlSeconds?: number;
}

/** A short, stable fingerprint so the demo can tell keys apart without ever printing one. */
export function fingerprint(key: Redacted): string {
  return `key#${createHash('sha256').update(key.reveal()).digest('hex').slice(0, 8)}`;
}

/**
 * `npm run demo`: both emulators in-process, a machine and its two secrets, the real rotation handler, and one real
 * rotation through RotateSecret — narrated the way a user cares about it. Returns the exit code.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const paint = (code: string) => (text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const [bold, green, red, dim] = [paint('1'), paint('32'), paint('31'), paint('2')];
  const say = (text = '') => options.write(text);
  const ok = (text: string) => say(`  ${green('✓')} ${text}`);
  const bad = (text: string) => say(`  ${red('✗')} ${text}`);
  const ttl = options.previousKeyTtlSeconds ?? 3600;

  const steps: { step: string; outcome: string; durationMs: number }[] = [];
  const stack = await startLocalStack({
    functionEnv: { PREVIOUS_KEY_TTL_SECONDS: String(ttl) },
    writeLog: (line) => {
      const entry = JSON.parse(line) as { step?: string; outcome?: string; durationMs?: number };
      if (entry.step && entry.outcome && typeof entry.durationMs === 'number') {
        steps.push({ step: entry.step, outcome: entry.outcome, durationMs: entry.durationMs });
      }
    },
  });
  try {
    const clerk = createClerkClient({ fetch: globalThis.fetch, apiUrl: stack.clerk.url });
    const works = async (key: Redacted, machineId: string) => {
      try {
        await clerk.verifyMachineKey(key, machineId);
        return true;
      } catch (error) {
        if (error instanceof ClerkApiError && error.status === 401) return false;
        throw error;
      }
    };
    const readCurrent = async (secretId: string) => {
      const out = await stack.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      return { versionId: out.VersionId, value: parseMachineSecret(out.SecretString, secretId) };
    };

    say(bold('clerk-machine-key-rotator — a real rotation on the local stack'));
    say(dim(`Clerk emulator ${stack.clerk.url} · Secrets Manager emulator ${stack.secretsManager.endpoint}`));
    say();
    const machine = await stack.addMachine({ name: 'payments-worker' });
    say(`Machine ${machine.machineId} at Clerk; its key is in secret ${machine.secretName},`);
    say(`the Clerk instance key in ${machine.instanceKeySecretName}. Rotation enabled (previous-key TTL ${ttl} s).`);
    const before = await readCurrent(machine.secretName);
    say();
    say(bold('1. The app reads AWSCURRENT and calls Clerk with it'));
    if (!(await works(before.value.secretKey, machine.machineId))) {
      bad('the current key does not work');
      return 1;
    }
    ok(`${fingerprint(before.value.secretKey)} (version ${before.versionId}) works`);

    say();
    say(bold('2. RotateSecret runs the rotation function, step by step'));
    steps.length = 0;
    const started = performance.now();
    await stack.rotate(machine.secretName);
    for (const s of steps) ok(`${s.step.padEnd(13)} ${s.outcome.padEnd(10)} ${dim(`${s.durationMs} ms`)}`);
    say(
      dim(
        `  rotation took ${Math.round(performance.now() - started)} ms; Clerk rotated ${stack.clerk.rotationsFor(machine.machineId).length} time(s)`,
      ),
    );

    say();
    say(bold('3. The new key is AWSCURRENT'));
    const after = await readCurrent(machine.secretName);
    const described = await stack.client.send(new DescribeSecretCommand({ SecretId: machine.secretName }));
    const labels = Object.entries(described.VersionIdsToStages ?? {}).map(
      ([id, stages]) => `${id}: ${stages.join(',')}`,
    );
    for (const line of labels) say(dim(`  ${line}`));
    const clerkCurrent = new Redacted(stack.clerk.currentKey(machine.machineId));
    if (after.value.secretKey.equals(before.value.secretKey) || !after.value.secretKey.equals(clerkCurrent)) {
      bad('AWSCURRENT does not hold Clerk’s new key');
      return 1;
    }
    ok(
      `${fingerprint(after.value.secretKey)} is AWSCURRENT and Clerk's current key; it works: ${await works(after.value.secretKey, machine.machineId)}`,
    );
    say(dim(`  previousKeyExpiresAt ${after.value.previousKeyExpiresAt}`));

    say();
    say(bold('4. During the overlap, apps that still hold the old key keep working'));
    if (!(await works(before.value.secretKey, machine.machineId))) {
      bad('the old key stopped working inside the overlap');
      return 1;
    }
    ok(`${fingerprint(before.value.secretKey)} is still accepted`);

    say();
    say(bold(`5. After the TTL (clock fast-forwarded ${ttl} s), only the new key works`));
    stack.clock.advance?.(ttl * 1000);
    const oldWorks = await works(before.value.secretKey, machine.machineId);
    const newWorks = await works(after.value.secretKey, machine.machineId);
    if (oldWorks || !newWorks) {
      bad(`old key works: ${oldWorks}, new key works: ${newWorks}`);
      return 1;
    }
    ok(`${fingerprint(before.value.secretKey)} is rejected (401)`);
    ok(`${fingerprint(after.value.secretKey)} works`);
    say();
    say(green('Done: one rotation at Clerk, no moment without a working key.'));
    return 0;
  } finally {
    await stack.close();
  }
}
