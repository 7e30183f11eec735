/**
 * Thrown to the code that drives an emulator (options, fault rules, helpers) when an argument is out of range: what
 * was wrong, what was received, what is allowed. It is a RangeError, so `toThrow(RangeError)` keeps working. Errors
 * an emulator answers over HTTP live in each emulator's own errors.ts.
 */
export class InvalidEmulatorOptionError extends RangeError {
  override readonly name = 'InvalidEmulatorOptionError';
  readonly option: string;

  constructor(option: string, detail: string) {
    super(`${option} ${detail}`);
    this.option = option;
  }
}
