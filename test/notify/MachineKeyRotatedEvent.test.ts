import { describe, expect, it } from 'vitest';
import { EventError } from '../../lib/errors.ts';
import {
  isMachineKeyRotatedEvent,
  MACHINE_KEY_ROTATED,
  parseMachineKeyRotatedEvent,
} from '../../lib/MachineKeyRotatedEvent.ts';

const valid = {
  type: MACHINE_KEY_ROTATED,
  secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf',
  versionId: 'v2',
  machineId: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
};

describe('Function: parseMachineKeyRotatedEvent', () => {
  it('returns only the known fields of a valid event', () => {
    expect(parseMachineKeyRotatedEvent({ ...valid, secretKey: 'ak_should_not_travel' })).toEqual(valid);
  });

  it.each([
    [null, /expected type/],
    [{ type: 'other' }, /expected type "clerk-machine-key-rotated", got "other"/],
    [{ ...valid, versionId: 3 }, /versionId must be a non-empty string, got number 3/],
    [{ ...valid, machineId: undefined }, /machineId must look like "mch_…", got nothing/],
  ])('throws EventError for %o', (value, message) => {
    expect(() => parseMachineKeyRotatedEvent(value)).toThrow(EventError);
    expect(() => parseMachineKeyRotatedEvent(value)).toThrow(message);
  });

  it('recognises the event type without validating the rest (for dispatch in a handler)', () => {
    expect(isMachineKeyRotatedEvent(valid)).toBe(true);
    expect(isMachineKeyRotatedEvent({ type: 'other' })).toBe(false);
    expect(isMachineKeyRotatedEvent('clerk-machine-key-rotated')).toBe(false);
  });
});
