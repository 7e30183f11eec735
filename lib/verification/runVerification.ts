import type { Clock } from '../Clock.ts';
import { Metric, TagKey } from '../constants.ts';
import { unqualifiedFunctionArn } from '../core/checkRotationPreconditions.ts';
import type { SecretDescription } from '../core/SecretStore.ts';
import type { Logger } from '../Logger.ts';
import type { SecretVerdict } from './SecretVerdict.ts';
import { type VerificationContext, verifyMachineSecret } from './verifyMachineSecret.ts';

/** Where a run stopped for lack of time: the page it was on, and how many of that page's secrets were done. */
export interface VerificationCursor {
  readonly pageToken: string | undefined;
  readonly skip: number;
  /** When the next Clerk call may start (epoch ms), so the continuation keeps the pace across invocations. */
  readonly resumeAt?: number | undefined;
}

export interface VerificationRunOptions {
  /** Only secrets whose rotation function is this one are verified (ARN compared without version or alias). */
  readonly rotationFunctionArn: string;
  readonly start?: VerificationCursor | undefined;
  /** Epoch ms after which no secret is started; the rest goes to `continueLater`. */
  readonly deadline: number;
  /** How many secrets are in flight at once (Clerk calls are paced regardless). @default 8 */
  readonly concurrency?: number;
  /** Hands the rest of the run to another invocation (Lambda: an asynchronous Invoke of this function). */
  readonly continueLater: (cursor: VerificationCursor) => Promise<void>;
  /** Called with each verdict as it is reached (the CLI prints them). */
  readonly onVerdict?: (verdict: SecretVerdict) => void;
}

export interface VerificationRunSummary {
  readonly verified: number;
  readonly counts: Readonly<Record<string, number>>;
  /** Set when the run handed its rest to another invocation. */
  readonly continuedAt?: VerificationCursor | undefined;
}

/** The metrics a verdict counts towards (CloudWatch EMF, summed per run). */
export function metricsOf(verdict: SecretVerdict): Metric[] {
  const metrics: Metric[] = [];
  if (verdict.outcome === 'in-sync') metrics.push(Metric.inSync);
  if (verdict.outcome === 'drift') metrics.push(Metric.driftFound);
  if (verdict.heal?.state === 'started') metrics.push(Metric.driftHealed);
  if (verdict.heal?.state === 'failed') metrics.push(Metric.healFailed);
  if (verdict.currentKeyAccepted === false) metrics.push(Metric.currentKeyRejected);
  if (verdict.pending?.stuck === true) metrics.push(Metric.pendingStuck);
  if (verdict.outcome === 'invalid' || verdict.outcome === 'failed') metrics.push(Metric.verificationFailed);
  return metrics;
}

function logVerdict(logger: Logger, verdict: SecretVerdict): void {
  const fields = {
    secretArn: verdict.secretArn,
    machineId: verdict.machineId,
    outcome: verdict.heal === undefined ? verdict.outcome : `${verdict.outcome}:${verdict.heal.state}`,
    errorCode: verdict.errorCode,
  };
  const healed = verdict.heal?.state === 'started' ? '; started a rotation that adopts Clerk’s key' : '';
  const message = `${verdict.detail}${healed}`;
  if (verdict.outcome === 'in-sync' || verdict.outcome === 'rotation-in-progress') logger.debug(message, fields);
  else if (verdict.outcome === 'drift' && verdict.currentKeyAccepted !== false && verdict.heal?.state !== 'failed') {
    logger.warn(message, fields);
  } else logger.error(message, fields);
}

/** Verifies `secrets[from..]` with `concurrency` workers while time remains; returns how many were done. */
async function verifyPage(
  context: VerificationContext,
  secrets: readonly SecretDescription[],
  from: number,
  options: VerificationRunOptions & { readonly clock: Clock; readonly record: (verdict: SecretVerdict) => void },
): Promise<number> {
  let next = from;
  const worker = async () => {
    while (next < secrets.length && options.clock.now() < options.deadline) {
      const secret = secrets[next++] as SecretDescription;
      options.record(await verifyMachineSecret(context, secret));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return next;
}

/**
 * One verification run over every machine secret (`clerk-rotator:machine-id` tag) that the given rotation function
 * rotates, a ListSecrets page at a time; when time runs short the rest is handed on with a cursor, so a run over
 * 10,000 secrets fits in Lambda's limits. Logs each unhealthy secret and one metric line per outcome.
 */
export async function runVerification(
  context: VerificationContext & { readonly logger: Logger },
  options: VerificationRunOptions,
): Promise<VerificationRunSummary> {
  const { store, clock, logger } = context;
  const counts: Record<string, number> = {};
  let verified = 0;
  const record = (verdict: SecretVerdict) => {
    verified += 1;
    counts[verdict.outcome] = (counts[verdict.outcome] ?? 0) + 1;
    for (const metric of metricsOf(verdict)) counts[metric] = (counts[metric] ?? 0) + 1;
    logVerdict(logger, verdict);
    options.onVerdict?.(verdict);
  };
  const ours = unqualifiedFunctionArn(options.rotationFunctionArn);
  let cursor: VerificationCursor = options.start ?? { pageToken: undefined, skip: 0 };
  let continuedAt: VerificationCursor | undefined;
  for (;;) {
    const page = await store.listSecretsWithTag(TagKey.machineId, cursor.pageToken);
    const secrets = page.secrets.filter(
      (secret) => secret.rotationLambdaArn !== undefined && unqualifiedFunctionArn(secret.rotationLambdaArn) === ours,
    );
    const done = await verifyPage(context, secrets, cursor.skip, { ...options, clock, record });
    if (done < secrets.length) {
      continuedAt = { pageToken: cursor.pageToken, skip: done, resumeAt: context.pacer.resumeAt() };
      await options.continueLater(continuedAt);
      break;
    }
    if (page.nextToken === undefined) break;
    cursor = { pageToken: page.nextToken, skip: 0 };
  }
  for (const metric of Object.values(Metric)) {
    const value = counts[metric];
    if (value !== undefined && value > 0) logger.metric(metric, value);
  }
  logger.info(
    `verified ${verified} machine secrets${continuedAt === undefined ? '' : '; the rest continues in another invocation'}`,
    {
      outcome: continuedAt === undefined ? 'verification-done' : 'verification-continued',
    },
  );
  return { verified, counts, ...(continuedAt === undefined ? {} : { continuedAt }) };
}
