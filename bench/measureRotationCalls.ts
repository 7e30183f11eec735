import { ROTATION_STEPS, type RotationStep } from '../lib/constants.ts';
import { startLocalStack } from '../localstack/startLocalStack.ts';
import { median } from './median.ts';

/** The goals for one clean rotation. */
/** 14 AWS calls before the rotate record, the lock's re-read and finishSecret's last check (docs/decisions/007). */
export const ROTATION_CALL_GOALS = { total: 17, clerk: 4 } as const;

export interface StepCalls {
  readonly step: RotationStep;
  /** Secrets Manager calls by operation, as the emulator's audit log recorded them during the step. */
  readonly aws: Readonly<Record<string, number>>;
  /** Clerk calls by operation, from the Clerk emulator's audit log. */
  readonly clerk: Readonly<Record<string, number>>;
  readonly awsTotal: number;
  readonly clerkTotal: number;
  /** Clerk calls made with the instance key: the ones that share the per-instance rate limit. */
  readonly clerkInstanceKey: number;
}

export interface RotationCallsMeasurement {
  readonly runs: number;
  /** Per step, median totals over the runs (the per-operation detail is the first run's). */
  readonly steps: readonly StepCalls[];
  readonly awsTotal: number;
  readonly clerkTotal: number;
  readonly clerkInstanceKeyTotal: number;
  /** Whether every run made exactly the same calls. */
  readonly identicalRuns: boolean;
  /** Calls the caller made outside the function (RotateSecret). */
  readonly outsideSteps: Readonly<Record<string, number>>;
  readonly goals: typeof ROTATION_CALL_GOALS;
}

const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
};

interface OneRotation {
  readonly steps: StepCalls[];
  readonly outsideSteps: Record<string, number>;
}

/** One clean rotation of a fresh machine in a fresh local stack, every call attributed to the step that made it. */
async function measureOneRotation(): Promise<OneRotation> {
  const steps: StepCalls[] = [];
  const stack = await startLocalStack({
    rateLimit: false,
    // Every audit-log entry written while a step runs is attributed to that step.
    wrapHandler: (handler) => async (event, context) => {
      const awsBefore = stack.secretsManager.audit.entries().length;
      const clerkBefore = stack.clerk.audit.entries().length;
      try {
        return await handler(event, context);
      } finally {
        const aws = stack.secretsManager.audit.entries().slice(awsBefore);
        const clerk = stack.clerk.audit.entries().slice(clerkBefore);
        steps.push({
          step: event.Step,
          aws: countBy(aws, (entry) => entry.operation),
          clerk: countBy(clerk, (entry) => entry.operation),
          awsTotal: aws.length,
          clerkTotal: clerk.length,
          clerkInstanceKey: clerk.filter((entry) => entry.keyKind === 'instance').length,
        });
      }
    },
  });
  try {
    const machine = await stack.addMachine();
    steps.length = 0; // addMachine's RotateImmediately=false runs testSecret once; that is set-up, not rotation
    const awsBefore = stack.secretsManager.audit.entries().length;
    await stack.rotate(machine.secretName);
    const rotation = stack.secretsManager.rotations().at(-1);
    if (rotation?.outcome !== 'succeeded' || rotation.attempts.length !== 1) {
      throw new Error(`the measured rotation was not clean: ${JSON.stringify(rotation?.error ?? rotation?.outcome)}`);
    }
    if (stack.clerk.rotationsFor(machine.machineId).length !== 1) {
      throw new Error('the measured rotation did not rotate exactly once at Clerk');
    }
    // What the audit logs hold beyond the steps' entries: the caller's own RotateSecret.
    const outside = countBy(stack.secretsManager.audit.entries().slice(awsBefore), (entry) => entry.operation);
    for (const step of steps) {
      for (const [operation, n] of Object.entries(step.aws)) outside[operation] = (outside[operation] ?? 0) - n;
    }
    return {
      steps: [...steps],
      outsideSteps: Object.fromEntries(Object.entries(outside).filter(([, n]) => n !== 0)),
    };
  } finally {
    await stack.close();
  }
}

/** Calls per clean rotation, by step, for AWS and Clerk, counted from the emulators' audit logs over `runs` runs. */
export async function measureRotationCalls(runs = 5): Promise<RotationCallsMeasurement> {
  const results: OneRotation[] = [];
  for (let run = 0; run < runs; run += 1) results.push(await measureOneRotation());
  const first = results[0]!;
  const signature = (result: OneRotation) => JSON.stringify(result);
  const steps = ROTATION_STEPS.map((step): StepCalls => {
    const perRun = results.map((result) => result.steps.find((calls) => calls.step === step));
    const detail = perRun[0];
    const total = (pick: (calls: StepCalls) => number) => median(perRun.map((calls) => (calls ? pick(calls) : 0)));
    return {
      step,
      aws: detail?.aws ?? {},
      clerk: detail?.clerk ?? {},
      awsTotal: total((calls) => calls.awsTotal),
      clerkTotal: total((calls) => calls.clerkTotal),
      clerkInstanceKey: total((calls) => calls.clerkInstanceKey),
    };
  });
  return {
    runs,
    steps,
    awsTotal: steps.reduce((total, step) => total + step.awsTotal, 0),
    clerkTotal: steps.reduce((total, step) => total + step.clerkTotal, 0),
    clerkInstanceKeyTotal: steps.reduce((total, step) => total + step.clerkInstanceKey, 0),
    identicalRuns: results.every((result) => signature(result) === signature(first)),
    outsideSteps: first.outsideSteps,
    goals: ROTATION_CALL_GOALS,
  };
}
