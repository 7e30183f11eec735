import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { createRotationHandler, type RotationHandler } from '../../lambda/rotate.ts';
import { createVerifyHandler } from '../../lambda/verify.ts';
import { EnvVar, ROTATION_STEPS, type RotationStep, TagKey } from '../../lib/constants.ts';
import type { VerificationCursor, VerificationRunSummary } from '../../lib/verification/runVerification.ts';
import { FakeClerk } from './fakeClerkFetch.ts';
import { type FakeSecret, FakeSecretsManager } from './fakeSecretsManager.ts';

export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:clerk-rotator';
export const MACHINE_ID = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk';
/** The default landing horizon, in seconds, plus one: the first moment a decision may be made again. */
export const PAST_HORIZON_SECONDS = 601 + 10;

export interface HarnessOptions {
  env?: Record<string, string | undefined>;
  tags?: Record<string, string>;
  /** Extra fields stored in the machine secret besides machineId and secretKey. */
  extra?: Record<string, unknown>;
  rotationEnabled?: boolean;
  lambda?: () => LambdaClient;
}

/** A machine at Clerk, its secret and the instance-key secret in Secrets Manager, and the real handler. */
export class RotationHarness {
  readonly clerk = new FakeClerk();
  readonly sm = new FakeSecretsManager();
  readonly logs: string[] = [];
  readonly errors: Error[] = [];
  readonly machineSecret: FakeSecret;
  readonly instanceSecret: FakeSecret;
  readonly handler: RotationHandler;
  remainingMs = 60_000;

  constructor(options: HarnessOptions = {}) {
    this.sm.now = () => this.clerk.nowMs;
    const key = this.clerk.addMachine(MACHINE_ID);
    this.instanceSecret = this.sm.createSecret('clerk/instance-key', this.clerk.instanceKey);
    this.machineSecret = this.sm.createSecret(
      'clerk/machines/worker',
      JSON.stringify({ ...options.extra, machineId: MACHINE_ID, secretKey: key }),
      { [TagKey.machineId]: MACHINE_ID, ...options.tags },
    );
    if (options.rotationEnabled !== false) this.sm.enableRotation(this.machineSecret, FUNCTION_ARN);
    const clock = { now: () => this.clerk.nowMs };
    this.handler = createRotationHandler({
      secretsManager: this.sm.client,
      fetch: this.clerk.fetch,
      env: { [EnvVar.instanceKeySecretId]: 'clerk/instance-key', ...options.env },
      clock,
      // Waiting moves the shared clock instead of the wall clock.
      sleep: async (ms) => {
        this.clerk.nowMs += ms;
      },
      writeLog: (line) => this.logs.push(line),
      clerkRetry: { minTimeoutMs: 1, maxTimeoutMs: 5 },
      clerkRequestTimeoutMs: 100,
      ...(options.lambda === undefined ? {} : { lambda: options.lambda }),
    });
  }

  /** More machines behind the same instance key, each with a bound secret rotated by this function. */
  addMachine(machineId: string, name = machineId.toLowerCase()): FakeSecret {
    const key = this.clerk.addMachine(machineId);
    const secret = this.sm.createSecret(`clerk/machines/${name}`, JSON.stringify({ machineId, secretKey: key }), {
      [TagKey.machineId]: machineId,
    });
    this.sm.enableRotation(secret, FUNCTION_ARN);
    return secret;
  }

  readonly verifyLogs: string[] = [];
  readonly continuations: VerificationCursor[] = [];

  /** One run of the scheduled verification (lambda/verify.ts) over the same fakes; `remainingMs` bounds it. */
  async verify(
    options: { env?: Record<string, string>; remainingMs?: number; event?: unknown } = {},
  ): Promise<VerificationRunSummary> {
    const handler = createVerifyHandler({
      secretsManager: this.sm.client,
      fetch: this.clerk.fetch,
      env: {
        [EnvVar.instanceKeySecretId]: 'clerk/instance-key',
        [EnvVar.rotationFunctionArn]: FUNCTION_ARN,
        [EnvVar.logLevel]: 'debug',
        ...options.env,
      },
      clock: { now: () => this.clerk.nowMs },
      sleep: async (ms) => {
        this.clerk.nowMs += ms;
      },
      writeLog: (line) => this.verifyLogs.push(line),
      continueRun: async (_, cursor) => {
        this.continuations.push(cursor);
      },
      safetyMarginMs: 0,
    });
    const remainingMs = options.remainingMs ?? 900_000;
    const started = this.clerk.nowMs;
    return handler(options.event ?? {}, {
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:clerk-verifier',
      getRemainingTimeInMillis: () => remainingMs - (this.clerk.nowMs - started),
    });
  }

  get context() {
    return { invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => this.remainingMs };
  }

  advance(seconds: number): void {
    this.clerk.nowMs += seconds * 1000;
  }

  startRotation(token: string = randomUUID()): string {
    return this.sm.stagePending(this.machineSecret, token);
  }

  async step(step: RotationStep | string, token: string, extra: Record<string, unknown> = {}) {
    try {
      return await this.handler(
        { Step: step, SecretId: this.machineSecret.arn, ClientRequestToken: token, ...extra },
        this.context,
      );
    } catch (error) {
      this.errors.push(error as Error);
      throw error;
    }
  }

  /**
   * The four steps in order, retried from createSecret as Secrets Manager does, `waitSeconds` apart (its re-attempt
   * delay; a number per gap, or one for all); returns the failures seen.
   */
  async rotate(
    options: { token?: string; attempts?: number; waitSeconds?: number | readonly number[] } = {},
  ): Promise<{ token: string; failures: Error[] }> {
    const token = options.token ?? this.startRotation();
    const failures: Error[] = [];
    for (let attempt = 0; attempt < (options.attempts ?? 1); attempt++) {
      if (attempt > 0) {
        const wait = options.waitSeconds ?? 0;
        this.advance(typeof wait === 'number' ? wait : (wait[attempt - 1] ?? 0));
      }
      try {
        for (const step of ROTATION_STEPS) await this.step(step, token);
        return { token, failures };
      } catch (error) {
        failures.push(error as Error);
      }
    }
    return { token, failures };
  }

  /** What an operator does to unstick a failed rotation: remove AWSPENDING wherever it is. */
  clearPendingLabels(): void {
    for (const version of this.machineSecret.versions.values()) version.stages.delete('AWSPENDING');
  }

  currentValue(): Record<string, unknown> {
    return JSON.parse(this.sm.valueWith(this.machineSecret, 'AWSCURRENT') ?? 'null');
  }

  pendingValue(): Record<string, unknown> | undefined {
    const value = this.sm.valueWith(this.machineSecret, 'AWSPENDING');
    return value === undefined ? undefined : JSON.parse(value);
  }

  /** Every key value this test could have leaked. */
  secretsToHide(): string[] {
    return [this.clerk.instanceKey, ...this.clerk.issuedKeys];
  }

  /** Log lines and error messages that contain any key value. */
  leaks(): string[] {
    // Errors as util.inspect shows them: message, stack, cause chain and every property (e.g. a fetch error's cause).
    const texts = [...this.logs, ...this.verifyLogs, ...this.errors.map((e) => inspect(e, { depth: 10 }))];
    return texts.filter((text) => this.secretsToHide().some((key) => text.includes(key)));
  }

  parsedLogs(): Record<string, unknown>[] {
    return this.logs.map((line) => JSON.parse(line));
  }
}
