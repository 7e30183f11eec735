import { describe, expect, it } from 'vitest';
import { readRotationWindows } from '../../lib/budget/readRotationWindows.ts';

describe('Function: readRotationWindows', () => {
  it.each([
    // Secrets Manager's defaults: rate() windows open at midnight; one hour for a schedule in hours, the rest of the day for one in days.
    [{ scheduleExpression: 'rate(30 days)' }, { openingHours: [0], windowHours: 24, cadenceDays: 30 }],
    [{ automaticallyAfterDays: 7 }, { openingHours: [0], windowHours: 24, cadenceDays: 7 }],
    [
      { scheduleExpression: 'rate(1 day)', duration: '3h' },
      { openingHours: [0], windowHours: 3, cadenceDays: 1 },
    ],
    [{ scheduleExpression: 'rate(8 hours)' }, { openingHours: [0, 8, 16], windowHours: 1, cadenceDays: 1 }],
    [
      { scheduleExpression: 'rate(5 hours)', duration: '2h' },
      { openingHours: [0, 5, 10, 15, 20], windowHours: 2, cadenceDays: 1 },
    ],
    // cron(): the hours it names; a single hour is a schedule in days (the window closes at the end of the day).
    [{ scheduleExpression: 'cron(0 4/12 * * ? *)' }, { openingHours: [4, 16], windowHours: 1, cadenceDays: 1 }],
    [{ scheduleExpression: 'cron(0 6 * * ? *)' }, { openingHours: [6], windowHours: 18, cadenceDays: 1 }],
    [
      { scheduleExpression: 'cron(0 1,13 * * ? *)', duration: '4h' },
      { openingHours: [1, 13], windowHours: 4, cadenceDays: 1 },
    ],
    [{ scheduleExpression: 'cron(0 8-10 * * ? *)' }, { openingHours: [8, 9, 10], windowHours: 1, cadenceDays: 1 }],
    [{ scheduleExpression: 'cron(0 */6 * * ? *)' }, { openingHours: [0, 6, 12, 18], windowHours: 1, cadenceDays: 1 }],
    [
      { scheduleExpression: 'cron(0 3 ? * MON *)', duration: '2h' },
      { openingHours: [3], windowHours: 2, cadenceDays: 7 },
    ],
    [{ scheduleExpression: 'cron(0 0 1 * ? *)' }, { openingHours: [0], windowHours: 24, cadenceDays: 30 }],
    [{ scheduleExpression: 'cron(0 0 1/10 * ? *)' }, { openingHours: [0], windowHours: 24, cadenceDays: 10 }],
  ])('reads %j', (rules, windows) => {
    expect(readRotationWindows(rules)).toEqual({ ok: true, windows });
  });

  it.each([
    [{}, 'no schedule expression or days'],
    [{ scheduleExpression: 'every day' }, 'not rate(N hours|days) or cron() with 6 fields: "every day"'],
    [{ scheduleExpression: 'cron(0 L * * ? *)' }, 'cron() hours field not read: "L"'],
    [{ scheduleExpression: 'rate(4 hours)', duration: '90m' }, 'window duration not 1h–24h: "90m"'],
    [{ scheduleExpression: 'rate(4 hours)', duration: '25h' }, 'window duration not 1h–24h: "25h"'],
  ])('says why it cannot read %j', (rules, reason) => {
    expect(readRotationWindows(rules)).toEqual({ ok: false, reason });
  });
});
