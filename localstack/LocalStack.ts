import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import type { SecretsManagerRotationEvent } from '../lambda/rotate.ts';
import type { Clock } from '../lib/Clock.ts';
import type { RetryOptions } from '../lib/clerk/retryPolicy.ts';
import type { StepOutcome } from '../lib/core/RotationContext.ts';
import type { VerificationRunSummary } from '../lib/verification/runVerification.ts';
import type { ClerkEmulator, ClerkEmulatorOptions } from './clerk/index.ts';
import type { SecretsManagerEmulator, SecretsManagerEmulatorOptions } from './secretsManager/index.ts';

/** The rotation function as the stack registers it: the real handler, one step per call. */
export type StackRotationHandler = (
  event: SecretsManagerRotationEvent,
  context: Pick<Context, 'invokedFunctionArn' | 'getRemainingTimeInMillis'>,
) => Promise<StepOutcome>;

export interface LocalStackOptions {
  /** 0 picks free ports; the long-running stack uses fixed ones. */
  readonly clerkPort?: number;
  readonly secretsManagerPort?: number;
  /** 'manual' (default) lets tests and the demo fast-forward through overlaps; 'system' follows real time. */
  readonly clock?: 'manual' | 'system';
  /**
   * Time compression for the manual clock: the stack's clock runs `timeScale`× faster than real time (from start to
   * close), and so do the rotation function's waits (Clerk's `Retry-After`) and its Clerk retry backoff. The bench
   * uses it to fit a fleet under Clerk's rate limit into minutes. Requires `clock: 'manual'`. @default 1 (no driving)
   */
  readonly timeScale?: number;
  /**
   * Wraps the rotation handler the stack registers (and `invokeStep` calls), e.g. to attribute the emulators' audit
   * entries to the step that made them, or to hold a step.
   */
  readonly wrapHandler?: (handler: StackRotationHandler) => StackRotationHandler;
  readonly rateLimit?: ClerkEmulatorOptions['rateLimit'];
  /** Records every Clerk exchange on the wire (contract tests). */
  readonly onClerkExchange?: ClerkEmulatorOptions['onExchange'];
  /** Environment of the rotation function, on top of the stack's own (instance-key secret, Clerk URL). */
  readonly functionEnv?: Readonly<Record<string, string>>;
  /** 'sync' (default): RotateSecret answers after the rotation ran; 'async': at once, like AWS. */
  readonly rotation?: SecretsManagerEmulatorOptions['rotation'];
  readonly rotationMaxAttempts?: number;
  readonly rotationBackoffMs?: SecretsManagerEmulatorOptions['rotationBackoffMs'];
  readonly lambdaTimeoutMs?: number;
  readonly seed?: number;
  /** Where the rotation function's JSON log lines go. @default dropped */
  readonly writeLog?: (line: string) => void;
  readonly clerkRetry?: Partial<RetryOptions>;
  /** SDK attempts per call made by the rotation function. @default 3 */
  readonly functionSdkMaxAttempts?: number;
  /** The rotation function's per-request timeout towards Secrets Manager. */
  readonly functionSdkRequestTimeoutMs?: number;
  /** The rotation function's per-request timeout towards Clerk. @default 5000 */
  readonly clerkRequestTimeoutMs?: number;
  /**
   * Runs before each outbound call of the rotation function (after the SDK's own retries are planned, before the
   * request is sent): fault tests arm an emulator fault for exactly that call.
   */
  readonly beforeFunctionCall?: (call: FunctionCall) => void | Promise<void>;
}

/** One outbound call the rotation function is about to make, with the step it makes it in. */
export interface FunctionCall {
  readonly service: 'secretsmanager' | 'clerk';
  /** Secrets Manager's operation name (GetSecretValue) or the Clerk emulator's (getMachineSecretKey). */
  readonly operation: string;
  readonly step: string | undefined;
}

export interface LocalMachine {
  readonly machineId: string;
  readonly secretName: string;
  readonly secretArn: string;
  /** The instance-key secret this machine's rotations use. */
  readonly instanceKeySecretName: string;
}

export interface AddMachineOptions {
  readonly name?: string;
  readonly secretName?: string;
  /** A Clerk instance other than the default one: its key goes into its own secret, named by a tag. */
  readonly instanceId?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** Enable rotation with the stack's function (RotateSecret, RotateImmediately=false). @default true */
  readonly enableRotation?: boolean;
  readonly extraFields?: Readonly<Record<string, unknown>>;
}

export interface LocalStack {
  readonly clerk: ClerkEmulator;
  readonly secretsManager: SecretsManagerEmulator;
  readonly clock: Clock & { advance?(ms: number): void };
  /** The rotation function's ARN, registered with the Secrets Manager emulator. */
  readonly functionArn: string;
  readonly instanceKeySecretName: string;
  /** A real SDK client for the stack (the caller may use it; the stack destroys it on close). */
  readonly client: SecretsManagerClient;
  addMachine(options?: AddMachineOptions): Promise<LocalMachine>;
  /** A second Clerk instance with its instance key stored in a secret of its own. */
  addInstance(secretName: string): Promise<{ instanceId: string; secretName: string }>;
  /** RotateSecret with RotateImmediately=true; resolves when the emulator's rotation has run (sync mode). */
  rotate(secretId: string, options?: { token?: string }): Promise<void>;
  /** Invokes the rotation function directly, as Secrets Manager does when it re-attempts a rotation. */
  invokeStep(step: string, secretArn: string, token: string): Promise<unknown>;
  /** Resolves once both emulators have processed (or dropped) every request they received: late landings included. */
  settled(): Promise<void>;
  /**
   * One run of the scheduled verification (lambda/verify.ts, the real handler) over the stack's secrets, configured
   * like the rotation function; a run that hands on continues in-process. Waits (Clerk pacing) move the manual clock.
   */
  verify(options?: { readonly env?: Readonly<Record<string, string>> }): Promise<VerificationRunSummary>;
  /** What a shell needs to point apps, the CLI and awscli at this stack. */
  environment(): Record<string, string>;
  close(): Promise<void>;
}
