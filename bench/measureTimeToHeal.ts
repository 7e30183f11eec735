import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { Defaults } from '../lib/constants.ts';
import { type LocalMachine, type LocalStack, startLocalStack } from '../localstack/startLocalStack.ts';
import { median } from './median.ts';

export interface TimeToHealOptions {
  /** Machine secrets the verification covers. @default 20 */
  readonly secrets?: number;
  /** How many of them an operator rotates in Clerk's dashboard, spread evenly over one interval. @default 10 */
  readonly dashboardRotations?: number;
  /** The stack's clock runs this much faster than real time (the function's own work counts, slowed down). @default 10 */
  readonly timeScale?: number;
}

export interface TimeToHealMeasurement {
  readonly secrets: number;
  readonly dashboardRotations: number;
  readonly timeScale: number;
  /** The verification's schedule (the construct's default), emulated ms. */
  readonly intervalMs: number;
  /** The overlap the operator gave the replaced key in the dashboard (the product's default TTL), emulated ms. */
  readonly overlapMs: number;
  /** Per dashboard rotation, in order: emulated ms until AWSCURRENT held its key (the healing rotation ended). */
  readonly healMs: readonly number[];
  readonly medianMs: number;
  readonly maxMs: number;
  /** Dashboard rotations healed by the first scheduled run after them. */
  readonly healedByNextRun: number;
  /** The longest scheduled run, emulated ms (Clerk calls paced at the verification's share of the rate limit). */
  readonly longestRunMs: number;
  /** Keys apps held (the replaced AWSCURRENT) that still worked at Clerk once their secret was healed. */
  readonly keysStillValidAtHeal: number;
  /** Rotations through Clerk's API during the measurement: healing adopts Clerk's key, it never rotates. */
  readonly apiRotations: number;
  /** Real time the measurement took. */
  readonly realMs: number;
}

interface DashboardRotation {
  readonly machine: LocalMachine;
  readonly at: number;
  readonly key: string;
  readonly keyAppsHeld: string;
  healedAt?: number;
  healedByRun?: number;
  stillValidAtHeal?: boolean;
}

async function currentKey(stack: LocalStack, secretName: string): Promise<string | undefined> {
  const out = await stack.client.send(new GetSecretValueCommand({ SecretId: secretName }));
  return (JSON.parse(out.SecretString ?? '{}') as { secretKey?: string }).secretKey;
}

/** Moves the stack's clock to `at` unless it is already past it (the driven clock may be). */
function advanceTo(stack: LocalStack, at: number): void {
  const now = stack.clock.now();
  if (at > now) stack.clock.advance?.(at - now);
}

/** After a scheduled run: which dashboard keys are now in AWSCURRENT, and when their healing rotation ended. */
async function recordHeals(stack: LocalStack, rotations: readonly DashboardRotation[], run: number): Promise<void> {
  const records = stack.secretsManager.rotations();
  for (const rotation of rotations) {
    if (rotation.healedAt !== undefined || rotation.at > stack.clock.now()) continue;
    if ((await currentKey(stack, rotation.machine.secretName)) !== rotation.key) continue;
    const healing = records
      .filter((r) => r.secretArn === rotation.machine.secretArn && r.mode === 'rotate' && r.outcome === 'succeeded')
      .at(-1);
    rotation.healedAt = healing?.endedAt ?? stack.clock.now();
    rotation.healedByRun = run;
    rotation.stillValidAtHeal = stack.clerk.isKeyValid(rotation.machine.machineId, rotation.keyAppsHeld);
  }
}

/**
 * Time to heal a dashboard rotation (docs/decisions/009-continuous-verification.md), on the local stack with time
 * scaled: `secrets` machine secrets, the verification (lambda/verify.ts, the real handler) run on its hourly
 * schedule in emulated time, and `dashboardRotations` of the machines rotated in Clerk's dashboard at moments spread
 * evenly over the first interval. The clock is driven `timeScale`× faster than real time, so the runs' own work costs
 * emulated time too, and jumps ahead to each scheduled event.
 */
export async function measureTimeToHeal(options: TimeToHealOptions = {}): Promise<TimeToHealMeasurement> {
  const secrets = options.secrets ?? 20;
  const count = Math.min(options.dashboardRotations ?? 10, secrets);
  const timeScale = options.timeScale ?? 10;
  const intervalMs = Defaults.verificationIntervalSeconds * 1000;
  const overlapMs = Defaults.previousKeyTtlSeconds * 1000;
  const started = performance.now();
  const stack = await startLocalStack({ timeScale });
  try {
    const machines: LocalMachine[] = [];
    for (let i = 0; i < secrets; i += 1) machines.push(await stack.addMachine({ name: `heal-${i}` }));
    const firstRun = stack.clock.now();
    await stack.verify(); // the schedule's run at 0: every secret in sync
    const rotations: DashboardRotation[] = [];
    for (let i = 0; i < count; i += 1) {
      advanceTo(stack, firstRun + ((i + 0.5) * intervalMs) / count);
      const machine = machines[Math.floor((i * secrets) / count)] as LocalMachine;
      const keyAppsHeld = (await currentKey(stack, machine.secretName)) ?? '';
      const key = stack.clerk.rotateViaDashboard(machine.machineId, { previousTokenTtlSeconds: overlapMs / 1000 });
      rotations.push({ machine, at: stack.clock.now(), key, keyAppsHeld });
    }
    let longestRunMs = 0;
    for (let run = 1; run <= 2; run += 1) {
      advanceTo(stack, firstRun + run * intervalMs);
      const runStart = stack.clock.now();
      await stack.verify();
      longestRunMs = Math.max(longestRunMs, stack.clock.now() - runStart);
      await recordHeals(stack, rotations, run);
    }
    const healMs = rotations.map((r) => (r.healedAt === undefined ? Number.POSITIVE_INFINITY : r.healedAt - r.at));
    return {
      secrets,
      dashboardRotations: count,
      timeScale,
      intervalMs,
      overlapMs,
      healMs,
      medianMs: median(healMs),
      maxMs: Math.max(...healMs),
      healedByNextRun: rotations.filter((r) => r.healedByRun === 1).length,
      longestRunMs,
      keysStillValidAtHeal: rotations.filter((r) => r.stillValidAtHeal === true).length,
      apiRotations: stack.clerk.rotationHistory().filter((r) => r.source === 'api').length,
      realMs: performance.now() - started,
    };
  } finally {
    await stack.close();
  }
}
