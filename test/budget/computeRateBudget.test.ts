import { describe, expect, it } from 'vitest';
import { type BudgetMachine, computeRateBudget, type RateBudgetInput } from '../../lib/budget/computeRateBudget.ts';
import { describeBudgetProblems } from '../../lib/budget/describeBudgetProblems.ts';
import { peakCount } from '../../lib/budget/peakCount.ts';
import { type RotationRulesText, readRotationWindows } from '../../lib/budget/readRotationWindows.ts';

function windows(rules: RotationRulesText) {
  const read = readRotationWindows(rules);
  if (!read.ok) throw new Error(read.reason);
  return read.windows;
}

function fleet(count: number, rules: RotationRulesText, extra: Partial<BudgetMachine> = {}): BudgetMachine[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `m${i}`,
    instance: 'dev',
    windows: windows(rules),
    verifier: 'rotator',
    ...extra,
  }));
}

function budgetOf(machines: BudgetMachine[], overrides: Partial<RateBudgetInput> = {}) {
  return computeRateBudget({
    machines,
    limitsOf: () => ({ ratePer10Seconds: 100, appsShare: 0.5 }),
    verifiers: new Map([['rotator', { intervalSeconds: 3600, clerkRateShare: 0.1 }]]),
    ...overrides,
  });
}

const remedies = { peak: 'fix the peak', verification: 'fix the verification' };

describe('Function: computeRateBudget', () => {
  it('adds up windows where they overlap, hour by hour', () => {
    const machines = [
      ...fleet(1, { scheduleExpression: 'cron(0 0 * * ? *)', duration: '2h' }),
      ...fleet(1, { scheduleExpression: 'cron(0 1 * * ? *)', duration: '2h' }),
    ];
    const [instance] = budgetOf(machines, { verifiers: new Map() }).instances;

    expect(instance?.hours.slice(0, 4).map((hour) => hour.windowsOpen)).toEqual([1, 2, 1, 0]);
    // A rotation in a 2-hour window: 4 calls spread over 720 windows of 10 s.
    expect(instance?.hours[0]?.expectedPer10Seconds).toBeCloseTo(4 / 720, 12);
    expect(instance?.hours[1]?.expectedPer10Seconds).toBeCloseTo(8 / 720, 12);
    expect(instance?.hours[1]?.expectedCalls).toBeCloseTo(4, 12);
    expect(instance?.busiestHour).toBe(1);
  });

  it('predicts the busiest 10 s of a month, well above the average, plus the verification at its paced rate', () => {
    const [instance] = budgetOf(fleet(10_000, { scheduleExpression: 'rate(30 days)' }), {
      limitsOf: () => ({ ratePer10Seconds: 1000, appsShare: 0.5 }),
    }).instances;

    // 10,000 rotations over a day: 1.16 per 10 s on average, 4.6 calls.
    expect((instance?.expectedPer10Seconds ?? 0) - 100).toBeCloseTo((4 * 10_000 * 10) / 86_400, 9);
    const day = Array.from({ length: 24 }, () => ({ meanPerWindow: 10_000 / 8640, windows: 360, count: 1 }));
    expect(instance).toMatchObject({
      rotationPeakPer10Seconds: 4 * peakCount(day, 0.01),
      typicalRotationPeakPer10Seconds: 4 * peakCount(day, 0.5),
      verificationPer10Seconds: 100,
      predictedPeakPer10Seconds: 4 * peakCount(day, 0.01) + 100,
      budget: 500,
      status: 'ok',
    });
    expect(instance?.rotationPeakPer10Seconds).toBeGreaterThan(5 * 4.6);
  });

  it('counts a shorter cadence more often in the horizon: a weekly fleet peaks higher than a monthly one', () => {
    const monthly = budgetOf(fleet(2000, { scheduleExpression: 'rate(30 days)', duration: '4h' })).instances[0];
    const weekly = budgetOf(fleet(2000, { scheduleExpression: 'rate(7 days)', duration: '4h' })).instances[0];

    expect(weekly?.rotationPeakPer10Seconds).toBeGreaterThan(monthly?.rotationPeakPer10Seconds ?? 0);
  });

  it('judges the peak against the limit less the apps’ share: ok, near from 80 %, over', () => {
    const machines = fleet(40, { scheduleExpression: 'rate(30 days)' });
    const at = (appsShare: number) =>
      budgetOf(machines, { limitsOf: () => ({ ratePer10Seconds: 20, appsShare }) }).instances[0];

    // Peak: 8 calls of rotations + 2 of verification = 10.
    expect(at(0.2)).toMatchObject({ predictedPeakPer10Seconds: 10, budget: 16, status: 'ok' });
    expect(at(0.45)).toMatchObject({ budget: 11, status: 'near' });
    expect(at(0.6)).toMatchObject({ budget: 8, status: 'over' });
  });

  it('counts machines without a schedule for the verification only', () => {
    const [instance] = budgetOf(fleet(30, { scheduleExpression: 'rate(30 days)' }, { windows: undefined })).instances;

    expect(instance).toMatchObject({ machines: 30, rotationPeakPer10Seconds: 0, verificationPer10Seconds: 10 });
  });

  it('adds every verification on an instance, each at most its machines or its paced rate', () => {
    const machines = [
      ...fleet(50, { scheduleExpression: 'rate(30 days)' }, { verifier: 'a' }),
      ...fleet(4, { scheduleExpression: 'rate(30 days)' }, { verifier: 'b' }),
      ...fleet(5, { scheduleExpression: 'rate(30 days)' }, { verifier: undefined }),
    ];
    const verifiers = new Map([
      ['a', { intervalSeconds: 3600, clerkRateShare: 0.1 }],
      ['b', { intervalSeconds: 3600, clerkRateShare: 0.1 }],
    ]);
    const [instance] = budgetOf(machines, { verifiers }).instances;

    expect(instance?.verifications).toEqual([
      { verifier: 'a', machines: 50, callsPer10Seconds: 10, runSeconds: 50 },
      { verifier: 'b', machines: 4, callsPer10Seconds: 4, runSeconds: 4 },
    ]);
    expect(instance?.verificationPer10Seconds).toBe(14);
  });

  it('times a verification run over all its instances one after the other, against its interval', () => {
    const machines = [
      ...fleet(2000, { scheduleExpression: 'rate(30 days)' }),
      ...fleet(2000, { scheduleExpression: 'rate(30 days)' }, { instance: 'prod' }),
    ];
    const limitsOf = (instance: string) => ({ ratePer10Seconds: instance === 'prod' ? 1000 : 100, appsShare: 0.5 });
    const budget = budgetOf(machines, { limitsOf });

    // dev: 2000 at 1 per s; prod: 2000 at 10 per s.
    expect(budget.verificationRuns).toEqual([
      {
        verifier: 'rotator',
        machines: 4000,
        intervalSeconds: 3600,
        runSeconds: 2200,
        fits: true,
        perInstance: [
          { instance: 'dev', machines: 2000, callsPerSecond: 1 },
          { instance: 'prod', machines: 2000, callsPerSecond: 10 },
        ],
      },
    ]);
    const slower = budgetOf(machines, {
      limitsOf,
      verifiers: new Map([['rotator', { intervalSeconds: 1800, clerkRateShare: 0.1 }]]),
    });
    expect(slower.verificationRuns[0]?.fits).toBe(false);
  });
});

describe('Function: describeBudgetProblems', () => {
  it('says nothing about a budget that fits', () => {
    expect(describeBudgetProblems(budgetOf(fleet(3, { scheduleExpression: 'rate(30 days)' })), remedies)).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it('names the numbers: errors over budget and for a run that does not fit, warnings near it', () => {
    const machines = fleet(40, { scheduleExpression: 'rate(30 days)' });
    const over = budgetOf(machines, {
      limitsOf: () => ({ ratePer10Seconds: 20, appsShare: 0.6 }),
      verifiers: new Map([['rotator', { intervalSeconds: 60, clerkRateShare: 0.1 }]]),
    });
    const near = budgetOf(machines, { limitsOf: () => ({ ratePer10Seconds: 20, appsShare: 0.45 }) });

    expect(describeBudgetProblems(over, remedies)).toEqual({
      errors: [
        "Clerk instance dev (40 machines): a predicted peak of 10 Clerk calls per 10 s (rotations 8, busiest around 00:00 UTC; verification 2) is over the rotator's budget of 8 (the declared limit of 20 per 10 s less 60 % kept for the apps); fix the peak",
        'The verification of rotator needs 200 s per run for 40 machines (40 on dev at 0.2 calls per s: the declared limit × its share / 10 s), longer than its interval of 60 s; fix the verification',
      ],
      warnings: [],
    });
    expect(describeBudgetProblems(near, remedies).warnings).toEqual([
      "Clerk instance dev (40 machines): a predicted peak of 10 Clerk calls per 10 s (rotations 8, busiest around 00:00 UTC; verification 2) is 90.9 % of the rotator's budget of 11 (the declared limit of 20 per 10 s less 45 % kept for the apps); fix the peak",
    ]);
  });
});
