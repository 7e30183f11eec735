import type { RotationStep } from '../../lib/constants.ts';

export type RotationMode =
  /** RotateImmediately (the default): createSecret, setSecret, testSecret, finishSecret. */
  | 'rotate'
  /** RotateImmediately=false: testSecret only, against a temporary AWSPENDING copy of the current value. */
  | 'test';

export type RotationOutcome = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface ErrorSummary {
  readonly name: string;
  readonly message: string;
}

export interface RotationStepRecord {
  readonly step: RotationStep;
  readonly awsRequestId: string;
  /** Emulator clock. */
  readonly startedAt: number;
  endedAt: number | undefined;
  /** Wall milliseconds the handler took. */
  durationMs: number | undefined;
  outcome: 'running' | 'succeeded' | 'failed' | 'timedOut';
  error: ErrorSummary | undefined;
}

export interface RotationAttemptRecord {
  /** 1-based. */
  readonly attempt: number;
  readonly steps: RotationStepRecord[];
  outcome: RotationOutcome;
}

/** One RotateSecret-started rotation: every attempt, every step, the outcome. Never a secret value. */
export interface RotationRecord {
  readonly rotationId: number;
  readonly secretArn: string;
  readonly secretName: string;
  readonly clientRequestToken: string;
  readonly functionArn: string;
  readonly mode: RotationMode;
  readonly startedAt: number;
  endedAt: number | undefined;
  outcome: RotationOutcome;
  readonly attempts: RotationAttemptRecord[];
  /** The last step error when the rotation failed. */
  error: ErrorSummary | undefined;
}

export type RotationStart = Pick<
  RotationRecord,
  'secretArn' | 'secretName' | 'clientRequestToken' | 'functionArn' | 'mode' | 'startedAt'
>;

/** Flat view of every step invocation, handy for assertions like "createSecret ran three times". */
export interface StepInvocation extends RotationStepRecord {
  readonly rotationId: number;
  readonly attempt: number;
  readonly secretArn: string;
  readonly clientRequestToken: string;
}

/** The inspectable history of rotations. Readers get copies; only the driver mutates records. */
export class RotationLog {
  readonly #records: RotationRecord[] = [];
  #nextId = 1;

  begin(start: RotationStart): RotationRecord {
    const record: RotationRecord = {
      ...start,
      rotationId: this.#nextId++,
      endedAt: undefined,
      outcome: 'running',
      attempts: [],
      error: undefined,
    };
    this.#records.push(record);
    return record;
  }

  /** Every rotation, oldest first (copies). */
  rotations(): RotationRecord[] {
    return structuredClone(this.#records);
  }

  /** Whether a rotation with this token ran or is running for the secret (RotateSecret idempotency). */
  has(secretArn: string, clientRequestToken: string, outcomes: readonly RotationOutcome[]): boolean {
    return this.#records.some(
      (record) =>
        record.secretArn === secretArn &&
        record.clientRequestToken === clientRequestToken &&
        outcomes.includes(record.outcome),
    );
  }

  stepInvocations(): StepInvocation[] {
    return this.#records.flatMap((record) =>
      record.attempts.flatMap((attempt) =>
        attempt.steps.map((step) => ({
          ...structuredClone(step),
          rotationId: record.rotationId,
          attempt: attempt.attempt,
          secretArn: record.secretArn,
          clientRequestToken: record.clientRequestToken,
        })),
      ),
    );
  }

  clear(): void {
    this.#records.length = 0;
  }
}
