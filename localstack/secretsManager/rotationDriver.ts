import type { Context } from 'aws-lambda';
import { ROTATION_STEPS, RotationStep, Stage } from '../../lib/constants.ts';
import type { Clock } from '../common/Clock.ts';
import { createLambdaContext } from './createLambdaContext.ts';
import { randomUuid } from './identifiers.ts';
import type { RegisteredRotationFunction, RotationInvocationEvent } from './RotationFunctionRegistry.ts';
import type { ErrorSummary, RotationLog, RotationMode, RotationRecord, RotationStepRecord } from './RotationLog.ts';
import { nextRotationDate } from './rotationSchedule.ts';
import type { SecretRecord } from './SecretRecord.ts';
import type { SecretsState } from './SecretsState.ts';
import { detachLabel } from './stagingLabels.ts';

export interface RotationRetryPolicy {
  /** Attempts of the whole rotation (from createSecret, same token) before it is left failed. @default 3 */
  readonly maxAttempts: number;
  /** Wait before attempt `n + 1` after attempt `n` failed. @default 0 ms (AWS waits for the next window) */
  readonly backoffMs: (failedAttempt: number) => number;
}

export interface RotationDriverOptions {
  readonly state: SecretsState;
  readonly log: RotationLog;
  readonly retry: RotationRetryPolicy;
  readonly lambdaTimeoutMs: number;
  readonly wallClock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface RotationRequest {
  readonly secret: SecretRecord;
  readonly versionId: string;
  readonly fn: RegisteredRotationFunction;
  readonly invokedFunctionArn: string;
  readonly mode: RotationMode;
}

interface InFlight {
  readonly secret: SecretRecord;
  readonly record: RotationRecord;
  cancelled: boolean;
}

class LambdaTimeoutError extends Error {
  override readonly name = 'Sandbox.Timedout';
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/**
 * Runs one handler invocation to completion: a returned promise settles it; a handler declaring a callback parameter
 * that returns no promise settles it through the callback; any other handler is done when it returns. A synchronous
 * throw rejects, like a rejection.
 */
const invokeHandler = (fn: RegisteredRotationFunction, event: RotationInvocationEvent, context: Context) =>
  new Promise<unknown>((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown) => {
      if (error === undefined || error === null) resolve(result);
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const returned = fn.handler(event, context, callback);
    if (isThenable(returned)) returned.then(resolve, reject);
    else if (fn.handler.length < 3) resolve(returned);
  });

const summarize = (error: unknown): ErrorSummary =>
  error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: typeof error === 'string' ? error : 'non-Error value thrown' };

/**
 * Drives rotations the way Secrets Manager does: invokes the function once per step, in order, with
 * `{ Step, SecretId: <ARN>, ClientRequestToken, RotationToken }`; a thrown error fails the step and the whole
 * rotation is retried from createSecret with the same token, up to `maxAttempts`. A rotation that still fails keeps
 * its AWSPENDING label, as in AWS. Everything goes to the RotationLog.
 */
export class RotationDriver {
  readonly #options: RotationDriverOptions;
  readonly #inFlight = new Set<InFlight>();
  readonly #running = new Set<Promise<RotationRecord>>();

  constructor(options: RotationDriverOptions) {
    this.#options = options;
  }

  /** Starts a rotation and returns its completion; callers decide whether to await it (sync) or not (async). */
  start(request: RotationRequest): Promise<RotationRecord> {
    const record = this.#options.log.begin({
      secretArn: request.secret.arn,
      secretName: request.secret.name,
      clientRequestToken: request.versionId,
      functionArn: request.invokedFunctionArn,
      mode: request.mode,
      startedAt: this.#options.state.now(),
    });
    const flight: InFlight = { secret: request.secret, record, cancelled: false };
    this.#inFlight.add(flight);
    const run = this.#run(request, flight)
      // Never rejects: an async rotation nobody awaits must not become an unhandled rejection.
      .catch((error: unknown) => this.#finish(flight, 'failed', summarize(error)))
      .finally(() => {
        this.#inFlight.delete(flight);
        this.#running.delete(run);
      });
    this.#running.add(run);
    return run;
  }

  isInFlight(secretArn: string, versionId: string): boolean {
    return [...this.#inFlight].some(
      (flight) => flight.record.secretArn === secretArn && flight.record.clientRequestToken === versionId,
    );
  }

  /** Stops the rotations of one secret after their current step (CancelRotateSecret, forced deletion). */
  cancel(secret: SecretRecord): void {
    for (const flight of this.#inFlight) if (flight.secret === secret) flight.cancelled = true;
  }

  cancelAll(): void {
    for (const flight of this.#inFlight) flight.cancelled = true;
  }

  /** Resolves once no rotation is running (including ones started while waiting). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) {
      await Promise.allSettled([...this.#running]);
    }
  }

  async #run(request: RotationRequest, flight: InFlight): Promise<RotationRecord> {
    const { record } = flight;
    const { retry } = this.#options;
    const steps = request.mode === 'rotate' ? ROTATION_STEPS : [RotationStep.testSecret];
    const rotationToken = randomUuid(this.#options.state.random);
    try {
      for (let attempt = 1; attempt <= retry.maxAttempts; attempt += 1) {
        const attemptRecord = {
          attempt,
          steps: [] as RotationStepRecord[],
          outcome: 'running' as RotationRecord['outcome'],
        };
        record.attempts.push(attemptRecord);
        let failure: ErrorSummary | undefined;
        for (const step of steps) {
          if (this.#isAbandoned(flight)) {
            attemptRecord.outcome = 'cancelled';
            return this.#finish(flight, 'cancelled', undefined);
          }
          const stepRecord = await this.#invoke(request, step, rotationToken);
          attemptRecord.steps.push(stepRecord);
          if (stepRecord.outcome !== 'succeeded') {
            failure = stepRecord.error;
            break;
          }
        }
        if (failure === undefined) {
          attemptRecord.outcome = 'succeeded';
          this.#recordSuccess(request);
          return this.#finish(flight, 'succeeded', undefined);
        }
        attemptRecord.outcome = 'failed';
        if (attempt === retry.maxAttempts) return this.#finish(flight, 'failed', failure);
        const wait = retry.backoffMs(attempt);
        if (wait > 0) await this.#options.sleep(wait);
      }
      return this.#finish(flight, 'failed', record.error);
    } finally {
      if (request.mode === 'test') this.#removeTestVersion(request);
    }
  }

  #isAbandoned(flight: InFlight): boolean {
    return flight.cancelled || this.#options.state.find(flight.secret.arn) !== flight.secret;
  }

  async #invoke(request: RotationRequest, step: RotationStep, rotationToken: string): Promise<RotationStepRecord> {
    const { state, wallClock } = this.#options;
    const awsRequestId = randomUuid(state.random);
    const timeoutMs = request.fn.timeoutMs ?? this.#options.lambdaTimeoutMs;
    const stepRecord: RotationStepRecord = {
      step,
      awsRequestId,
      startedAt: state.now(),
      endedAt: undefined,
      durationMs: undefined,
      outcome: 'running',
      error: undefined,
    };
    const event: RotationInvocationEvent = {
      Step: step,
      SecretId: request.secret.arn,
      ClientRequestToken: request.versionId,
      RotationToken: rotationToken,
    };
    const context = createLambdaContext({
      fn: request.fn,
      invokedFunctionArn: request.invokedFunctionArn,
      awsRequestId,
      timeoutMs,
      wallClock,
    });
    const startedWall = wallClock.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new LambdaTimeoutError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
          timeoutMs,
        );
        timer.unref();
      });
      await Promise.race([invokeHandler(request.fn, event, context), timeout]);
      stepRecord.outcome = 'succeeded';
    } catch (error) {
      stepRecord.outcome = error instanceof LambdaTimeoutError ? 'timedOut' : 'failed';
      stepRecord.error = summarize(error);
    } finally {
      clearTimeout(timer);
      stepRecord.endedAt = state.now();
      stepRecord.durationMs = wallClock.now() - startedWall;
    }
    return stepRecord;
  }

  #recordSuccess(request: RotationRequest): void {
    if (request.mode !== 'rotate') return;
    const { secret } = request;
    if (this.#options.state.find(secret.arn) !== secret) return;
    const now = this.#options.state.now();
    secret.lastRotatedAt = now;
    secret.nextRotationAt = nextRotationDate(secret.rotation?.rules, now);
  }

  /** RotateImmediately=false: the temporary AWSPENDING version goes away whatever testSecret did. */
  #removeTestVersion(request: RotationRequest): void {
    const version = request.secret.versions.get(request.versionId);
    if (version === undefined) return;
    if (version.stages.includes(Stage.current)) {
      // A function that promoted the test version must not leave the secret without AWSCURRENT.
      detachLabel(version, Stage.pending);
    } else {
      request.secret.versions.delete(request.versionId);
    }
  }

  #finish(flight: InFlight, outcome: RotationRecord['outcome'], error: ErrorSummary | undefined): RotationRecord {
    flight.record.outcome = outcome;
    flight.record.error = error;
    flight.record.endedAt = this.#options.state.now();
    return flight.record;
  }
}
