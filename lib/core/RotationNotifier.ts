import type { MachineKeyRotatedEvent } from '../MachineKeyRotatedEvent.ts';

/** The notifier port: tells consumers a key was promoted (lib/notify implements it with asynchronous Invokes). */
export interface RotationNotifier {
  /** Notifies every consumer, in parallel. Never throws: failures are logged and counted. */
  notify(event: MachineKeyRotatedEvent): Promise<RotationNotificationResult>;
}

export interface RotationNotificationResult {
  readonly notified: readonly string[];
  readonly failed: readonly string[];
}
