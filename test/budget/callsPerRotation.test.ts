import { afterEach, describe, expect, it } from 'vitest';
import { CLERK_CALLS_PER_ROTATION } from '../../lib/budget/BudgetDefaults.ts';
import { RotationHarness } from '../support/rotationHarness.ts';

let harness: RotationHarness;

afterEach(() => {
  expect(harness.leaks()).toEqual([]);
});

describe('Constant: CLERK_CALLS_PER_ROTATION', () => {
  it('is what a clean rotation costs at Clerk, counted on the real handler', async () => {
    // Prepare
    harness = new RotationHarness();

    // Act
    const { failures } = await harness.rotate();

    // Assess: the budget counts every call a rotation makes, no more and no fewer.
    expect(failures).toEqual([]);
    expect(harness.clerk.calls).toHaveLength(CLERK_CALLS_PER_ROTATION);
  });
});
