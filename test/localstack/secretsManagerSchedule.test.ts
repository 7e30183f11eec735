import { describe, expect, it } from 'vitest';
import { nextCronOccurrence, parseCronExpression } from '../../localstack/secretsManager/cronSchedule.ts';
import { nextRotationDate, validateRotationRules } from '../../localstack/secretsManager/rotationSchedule.ts';

const at = (iso: string): number => Date.parse(iso);
const next = (cron: string, afterIso: string): string | undefined => {
  const parsed = parseCronExpression(cron);
  if (parsed === undefined) throw new Error(`did not parse: ${cron}`);
  const result = nextCronOccurrence(parsed, at(afterIso));
  return result === undefined ? undefined : new Date(result).toISOString();
};

describe('Function: nextCronOccurrence', () => {
  it.each([
    ['0 16 ? * SUN *', '2026-03-01T12:00:00Z', '2026-03-01T16:00:00.000Z'],
    ['0 16 ? * SUN *', '2026-03-01T16:00:00Z', '2026-03-08T16:00:00.000Z'],
    ['30 8 1 * ? *', '2026-03-01T09:00:00Z', '2026-04-01T08:30:00.000Z'],
    ['0 0/6 * * ? *', '2026-03-01T07:00:00Z', '2026-03-01T12:00:00.000Z'],
    ['15 10 ? * MON-FRI *', '2026-03-06T11:00:00Z', '2026-03-09T10:15:00.000Z'],
    ['0 4 ? JAN,JUL 2 2027', '2026-03-01T00:00:00Z', '2027-01-04T04:00:00.000Z'],
    ['0 12 29 2 ? *', '2026-03-01T00:00:00Z', '2028-02-29T12:00:00.000Z'],
  ])('cron(%s) after %s is %s', (cron, after, expected) => {
    expect(next(cron, after)).toBe(expected);
  });

  it('answers undefined for forms it does not evaluate (L, W, #) and malformed fields', () => {
    expect(parseCronExpression('0 0 L * ? *')).toBeUndefined();
    expect(parseCronExpression('0 0 ? * 6#3 *')).toBeUndefined();
    expect(parseCronExpression('0 25 * * ? *')).toBeUndefined();
    expect(parseCronExpression('0 0 * *')).toBeUndefined();
  });

  it('answers undefined when nothing matches within five years', () => {
    expect(next('0 0 31 2 ? *', '2026-01-01T00:00:00Z')).toBeUndefined();
  });
});

describe('Function: validateRotationRules / nextRotationDate', () => {
  const base = at('2026-03-01T12:00:00Z');

  it('adds days, hours and day rates to the base', () => {
    expect(nextRotationDate({ AutomaticallyAfterDays: 3 }, base)).toBe(at('2026-03-04T12:00:00Z'));
    expect(nextRotationDate({ ScheduleExpression: 'rate(6 hours)' }, base)).toBe(at('2026-03-01T18:00:00Z'));
    expect(nextRotationDate({ ScheduleExpression: 'rate(1 day)' }, base)).toBe(at('2026-03-02T12:00:00Z'));
    expect(nextRotationDate({ Duration: '3h' }, base)).toBeUndefined();
    expect(nextRotationDate(undefined, base)).toBeUndefined();
  });

  it.each([
    [{ AutomaticallyAfterDays: 1000 }, true],
    [{ AutomaticallyAfterDays: 1001 }, false],
    [{ AutomaticallyAfterDays: 1.5 }, false],
    [{ ScheduleExpression: 'rate(4 hours)' }, true],
    [{ ScheduleExpression: 'rate(3 hours)' }, false],
    [{ ScheduleExpression: 'rate(1 days)' }, false],
    [{ ScheduleExpression: 'rate(2 day)' }, false],
    [{ ScheduleExpression: 'cron(0 16 ? * SUN *)', Duration: '24h' }, true],
    [{ ScheduleExpression: 'cron(0 16 ? *)' }, false],
    [{ ScheduleExpression: 'cron(0 16 ? * SUN *)', Duration: '0h' }, false],
    [{ AutomaticallyAfterDays: 7, Duration: '2h' }, true],
  ])('validates %j as %s', (rules, valid) => {
    if (valid) expect(validateRotationRules(rules)).toEqual(rules);
    else
      expect(() => validateRotationRules(rules)).toThrow(
        expect.objectContaining({ name: 'InvalidParameterException' }),
      );
  });
});
