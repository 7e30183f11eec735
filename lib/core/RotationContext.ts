import type { ClerkMachineApi } from './ClerkMachineApi.ts';
import type { Clock, Sleep } from './Clock.ts';
import type { Logger } from './Logger.ts';
import type { RotationEvent } from './parseRotationEvent.ts';
import type { RotationNotifier } from './RotationNotifier.ts';
import type { RotationSettings } from './rotationSettings.ts';
import type { SecretDescription, SecretStore } from './SecretStore.ts';

/** The ports every step runs over. */
export interface RotationPorts {
  readonly store: SecretStore;
  readonly clerk: ClerkMachineApi;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly logger: Logger;
  /** Best-effort "key rotated" notifications after finishSecret; absent when none are configured. */
  readonly notifier?: RotationNotifier | undefined;
  /** A fresh id for each rotate record this invocation writes. @default crypto.randomUUID */
  readonly newWriterId?: (() => string) | undefined;
}

/** What the Clerk client was configured with, which decides whether a rotate may still be sent. */
export interface ClerkTimingSettings {
  /** The per-request timeout: a rotate is sent only with this much time left, plus a reconcile read. */
  readonly clerkRequestTimeoutMs: number;
  /** The longest Retry-After a rotate answered with 429 is waited out for within an invocation. */
  readonly maxRetryAfterMs: number;
}

/** One step's view of the rotation, after the preamble. */
export interface RotationContext extends Omit<RotationPorts, 'newWriterId'>, ClerkTimingSettings {
  readonly newWriterId: () => string;
  readonly event: RotationEvent;
  readonly secret: SecretDescription;
  readonly settings: RotationSettings;
  /** Epoch ms by which this invocation must be done. */
  readonly deadline: number;
}

/** What a step reports; logged with the fixed keys. */
export interface StepOutcome {
  readonly outcome: string;
  readonly machineId?: string | undefined;
  readonly adopted?: boolean | undefined;
}
