import { describe, expect, it } from 'vitest';
import { readRotationWindows } from '../../lib/budget/readRotationWindows.ts';
import { staggerRotationRules } from '../../lib/budget/staggerRotationRules.ts';
import { staggerSlot } from '../../lib/budget/staggerSlot.ts';

const ids = Array.from({ length: 2000 }, (_, i) => `mch_${i.toString(36)}fleet`);

describe('Function: staggerSlot', () => {
  it('gives a key the same slot every time, and spreads keys over every slot about evenly', () => {
    const counts = new Array<number>(24).fill(0);
    for (const id of ids) {
      const slot = staggerSlot(id, 24);
      expect(staggerSlot(id, 24)).toBe(slot);
      counts[slot] = (counts[slot] ?? 0) + 1;
    }
    // 2000 keys over 24 slots: about 83 each; a fair draw stays well within ±40 %.
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(117);
  });

  it('refuses a number of slots below one', () => {
    expect(() => staggerSlot('mch_a', 0)).toThrow(RangeError);
  });
});

describe('Function: staggerRotationRules', () => {
  it('moves a schedule in hours to an offset within its period, keeping cadence and window', () => {
    const offsets = new Set<string>();
    for (const id of ids.slice(0, 200)) {
      const result = staggerRotationRules({ scheduleExpression: 'rate(6 hours)', duration: '2h' }, id);
      expect(result).toMatchObject({ staggered: true, slots: 3 });
      offsets.add(result.rules.scheduleExpression ?? '');
      const read = readRotationWindows(result.rules);
      // Every window of the day keeps its 2 hours and 6-hour spacing, inside the day.
      expect(read.ok && read.windows.windowHours).toBe(2);
      expect(read.ok && read.windows.openingHours.length).toBe(4);
    }
    expect([...offsets].sort()).toEqual(['cron(0 0/6 * * ? *)', 'cron(0 2/6 * * ? *)', 'cron(0 4/6 * * ? *)']);
  });

  it('keeps only offsets whose last window of the day ends by midnight', () => {
    // rate(13 hours) in 6-hour windows: opening at 6 would put the second window at 19:00–01:00.
    const expressions = new Set(
      ids
        .slice(0, 100)
        .map(
          (id) =>
            staggerRotationRules({ scheduleExpression: 'rate(13 hours)', duration: '6h' }, id).rules.scheduleExpression,
        ),
    );
    expect([...expressions]).toEqual(['rate(13 hours)']);
    expect(staggerRotationRules({ scheduleExpression: 'rate(13 hours)', duration: '6h' }, 'mch_a')).toEqual({
      staggered: false,
      rules: { scheduleExpression: 'rate(13 hours)', duration: '6h' },
      reason: 'a 6-hour window fills its 13-hour period',
    });
  });

  it('moves a daily schedule with a short window to an hour of the day', () => {
    const result = staggerRotationRules({ scheduleExpression: 'rate(1 day)', duration: '4h' }, 'mch_a');
    expect(result).toMatchObject({
      staggered: true,
      slots: 6,
      rules: { scheduleExpression: expect.stringMatching(/^cron\(0 (0|4|8|12|16|20) \* \* \? \*\)$/), duration: '4h' },
    });
  });

  it('moves a weekly schedule to a weekday and hour, also with its whole-day window', () => {
    const result = staggerRotationRules({ automaticallyAfterDays: 7 }, 'mch_a');
    expect(result).toMatchObject({
      staggered: true,
      slots: 7,
      rules: {
        scheduleExpression: expect.stringMatching(/^cron\(0 0 \? \* (SUN|MON|TUE|WED|THU|FRI|SAT) \*\)$/),
        duration: '24h',
      },
    });
  });

  it.each([
    [{ scheduleExpression: 'rate(30 days)' }, 'a cron() cannot rotate every 30 days'],
    [{ scheduleExpression: 'rate(1 day)' }, 'a 24-hour window fills the day'],
    [{ scheduleExpression: 'cron(0 4 * * ? *)', duration: '2h' }, 'a cron() schedule keeps the hours it names'],
    [{ scheduleExpression: 'rate(4 hours)', duration: '4h' }, 'a 4-hour window fills its 4-hour period'],
    [
      { scheduleExpression: 'nonsense' },
      'its schedule is not understood (not rate(N hours|days) or cron() with 6 fields: "nonsense")',
    ],
  ])('leaves %j as it is', (rules, reason) => {
    expect(staggerRotationRules(rules, 'mch_a')).toEqual({ staggered: false, rules, reason });
  });
});
