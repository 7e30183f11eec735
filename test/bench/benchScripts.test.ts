import { describe, expect, it } from 'vitest';
import { measureBundle, OUR_BUNDLE_GOAL_BYTES } from '../../bench/measureBundle.ts';

describe('Function: measureBundle', () => {
  it('bundles the rotation function with and without the AWS SDK, and the @clerk/backend baseline', async () => {
    // Act
    const bundle = await measureBundle();

    // Assess
    expect(bundle.ours.bytes).toBeGreaterThan(0);
    expect(bundle.ours.bytes).toBeLessThan(bundle.withAwsSdk.bytes);
    expect(bundle.clerkBackendBaseline.bytes).toBeGreaterThan(0);
    expect(bundle.goalBytes).toBe(OUR_BUNDLE_GOAL_BYTES);
    expect(bundle.ours.top.length).toBeGreaterThan(0);
    expect(bundle.ours.top.some((c) => c.source.startsWith('@aws-sdk/'))).toBe(false);
    expect(bundle.withAwsSdk.top.some((c) => c.source.startsWith('@aws-sdk/') || c.source.startsWith('@smithy/'))).toBe(
      true,
    );
    expect(bundle.clerkBackendBaseline.top.map((c) => c.source)).toContain('@clerk/backend');
    const sorted = [...bundle.withAwsSdk.top].sort((a, b) => b.bytes - a.bytes);
    expect(bundle.withAwsSdk.top).toEqual(sorted);
  });
});
