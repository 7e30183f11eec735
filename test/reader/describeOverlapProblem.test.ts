import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { createReaderFixture, expectNoKeyLeak, MACHINE_ID, newMachineKey } from '../support/readerFixtures.ts';

/** A fixture whose secret records a rotation now with the given overlap, and a way to list the warnings. */
function setup() {
  const fixture = createReaderFixture();
  const key = newMachineKey();
  const answerWithOverlap = (overlapSeconds: number) => {
    const rotated = {
      rotatedAt: new Date(fixture.clock.ms).toISOString(),
      previousKeyExpiresAt: new Date(fixture.clock.ms + overlapSeconds * 1_000).toISOString(),
    };
    fixture.sm.mock.on(GetSecretValueCommand).resolves(fixture.answer('v1', key, rotated));
  };
  fixture.sm.mock.on(GetSecretValueCommand).resolves(fixture.answer('v1', key));
  const warnings = () =>
    fixture.log.lines.map((line) => JSON.parse(line)).filter((line) => line.outcome === 'overlap-too-short');
  return { ...fixture, key, answerWithOverlap, warnings };
}

describe('Function: describeOverlapProblem (the maxAge vs overlap warning of a provider)', () => {
  it('does not warn when maxAgeMs + maxStaleMs is at most half the overlap (seconds in the secret, ms here)', async () => {
    // Prepare: defaults 300 000 + 900 000 = 1 200 000 ms; an 8 h overlap is 28 800 s
    const { answerWithOverlap, warnings, provider } = setup();
    answerWithOverlap(28_800);

    // Act
    await provider().get();

    // Assess
    expect(warnings()).toHaveLength(0);
  });

  it('does not warn at exactly half the overlap', async () => {
    // Prepare: 2 400 s overlap → half is 1 200 000 ms
    const { answerWithOverlap, warnings, provider } = setup();
    answerWithOverlap(2_400);

    // Act
    await provider().get();

    // Assess
    expect(warnings()).toHaveLength(0);
  });

  it('warns once when maxAgeMs + maxStaleMs exceeds half the overlap', async () => {
    // Prepare: a 30 min overlap (1 800 000 ms) → half is 900 000 < 1 200 000
    const { sm, clock, log, key, answerWithOverlap, warnings, provider } = setup();
    answerWithOverlap(1_800);
    const reader = provider({ maxAgeMs: 60_000 });

    // Act
    await reader.get();
    clock.advanceSeconds(61);
    await reader.get();

    // Assess
    expect(sm.getCalls()).toHaveLength(2);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatchObject({ level: 'warn', versionId: 'v1', machineId: MACHINE_ID });
    expect(warnings()[0].message).toMatch(/960000 ms is more than half .*1800000 ms/);
    expectNoKeyLeak(log.lines, [key]);
  });

  it('warns, naming the cause, when the version records no overlap (TTL 0 or an adopted key)', async () => {
    // Prepare
    const { answerWithOverlap, warnings, provider } = setup();
    answerWithOverlap(0);

    // Act
    await provider().get();

    // Assess
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0].message).toMatch(/records as none \(a previous-key TTL of 0, or a key adopted/);
  });

  it('does not warn when the secret does not say when the previous key expires', async () => {
    // Prepare
    const { warnings, provider } = setup();

    // Act
    await provider({ maxAgeMs: 86_400_000 }).get();

    // Assess
    expect(warnings()).toHaveLength(0);
  });
});
