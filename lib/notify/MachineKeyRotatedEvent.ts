/**
 * The event lives in lib/MachineKeyRotatedEvent.ts, below both its sender (lib/notify, lib/core) and its receiver
 * (lib/reader). This path stays for the importers that have not moved yet (lib/core/promotePendingVersion.ts).
 */
export * from '../MachineKeyRotatedEvent.ts';
