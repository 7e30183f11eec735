/**
 * Errors thrown to the test code that drives the emulator (programmatic helpers), as opposed to `ClerkApiError`,
 * which the emulator sends over HTTP. No message carries a key value.
 */
export class ClerkEmulatorError extends Error {
  override readonly name: string = 'ClerkEmulatorError';
}

export class UnknownInstanceError extends ClerkEmulatorError {
  override readonly name = 'UnknownInstanceError';
  readonly instanceId: string;

  constructor(instanceId: string) {
    super(`No emulated Clerk instance ${instanceId}`);
    this.instanceId = instanceId;
  }
}

export class UnknownMachineError extends ClerkEmulatorError {
  override readonly name = 'UnknownMachineError';
  readonly machineId: string;

  constructor(machineId: string) {
    super(`No emulated Clerk machine ${machineId}`);
    this.machineId = machineId;
  }
}

export class InvalidEmulatorOptionError extends ClerkEmulatorError {
  override readonly name = 'InvalidEmulatorOptionError';
  readonly option: string;

  constructor(option: string, detail: string) {
    super(`${option} ${detail}`);
    this.option = option;
  }
}
