/**
 * A rotate whose answer was lost may still land at Clerk until its landing horizon (docs/decisions/007): the CLI says
 * when progress is expected instead of calling the rotation stuck, `status` shows the rotate in flight, and neither
 * `repair` nor `rotate` changes anything before the horizon ends. Real processes against the local stack.
 */
import { describe, expect, it } from 'vitest';
import { RUNBOOK_URL, Stage } from '../../lib/constants.ts';
import { milestones, stagesOf, useCliStack, versionWith } from './cliTestSupport.ts';

/** The CLI's default horizon (ROTATE_LANDING_HORIZON_SECONDS unset), the function's too. */
const HORIZON_MS = 600_000;

describe('CLI: a rotate that may still land', () => {
  const fixture = useCliStack();
  const { cli, local } = fixture;

  it('rotate --wait says when progress is expected; status shows the rotate in flight; repair and rotate refuse until then', async () => {
    // Prepare: Clerk processes the rotate but the connection drops before the answer (a lost response).
    const machine = await fixture.stack.addMachine({ name: 'in-flight' });
    await fixture.stack.secretsManager.rotationsIdle();
    fixture.stack.clerk.faults.dropAfterProcessing('rotateMachineSecretKey', { times: 1 });
    const started = Date.now();

    // Act
    const rotate = await cli('rotate', machine.secretName, '--wait', '--timeout', '3', '--poll-interval', '0.2');
    await fixture.stack.secretsManager.rotationsIdle();
    const stagesBefore = stagesOf(fixture.stack, machine.secretName);
    const pending = versionWith(fixture.stack, machine.secretName, Stage.pending) as string;
    const status = await cli('status', machine.secretName, '--stuck-after', '0');
    const statusJson = await local('--json', 'status', machine.secretName, '--stuck-after', '0');
    const repair = await cli('repair', machine.secretName, '--stuck-after', '0', '--apply');
    const repairJson = await local('--json', 'repair', machine.secretName, '--stuck-after', '0');
    const again = await local('rotate', machine.secretName, '--wait');

    // Assess: one rotate reached Clerk, and nothing after it rotated or moved a label.
    expect(fixture.stack.clerk.rotationsFor(machine.machineId)).toHaveLength(1);
    expect(stagesOf(fixture.stack, machine.secretName)).toEqual(stagesBefore);
    expect(stagesBefore[pending]).toBe(Stage.pending);

    expect(rotate.code).toBe(1);
    expect(milestones(rotate.stdout)).toEqual(['pending']);
    expect(rotate.stderr).toMatch(
      new RegExp(
        `error \\[ROTATE_(IN_FLIGHT|OUTCOME_UNKNOWN)\\]: rotation of ${machine.secretName} did not complete: AWSCURRENT did not move within 3 s; not stuck: a rotate sent to Clerk at or before [\\d:TZ-]+ \\(version ${pending}\\) may still land until [\\d:TZ-]+ \\(in (9|10) min( \\d+ s)?\\), and the rotation function makes progress on its first attempt after that`,
      ),
    );
    expect(rotate.stderr).toContain('waiting in createSecret: the landing horizon of a rotate sent to Clerk ends at');
    expect(rotate.stderr).toMatch(/the rotation function's error.*\(createSecret, .*\) \[ROTATE_IN_FLIGHT\]/);
    expect(rotate.stderr).toMatch(/next: wait until [\d:TZ-]+; then `clerk-rotator status/);
    expect(rotate.stderr).not.toContain('ROTATION_STUCK');
    expect(rotate.stderr).not.toContain('stuck in');

    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      'rotates in flight (nothing rotates, adopts or repairs before their landing horizon ends)',
    );
    expect(status.stdout).toContain('verdict: rotation in progress');
    expect(status.stdout).toMatch(
      new RegExp(`AWSPENDING on version ${pending}; a rotate sent to Clerk at or before .* may still land until`),
    );
    const { rotatesInFlight, verdict } = JSON.parse(statusJson.stdout);
    expect(verdict).toMatchObject({ state: 'rotation-in-progress', healthy: true });
    expect(rotatesInFlight).toHaveLength(1);
    expect(rotatesInFlight[0].versionId).toBe(pending);
    const until = Date.parse(rotatesInFlight[0].until);
    expect(until).toBeGreaterThan(started + HORIZON_MS);
    expect(until).toBeLessThanOrEqual(Date.now() + HORIZON_MS + 10_000);

    expect(repair.code).toBe(1);
    expect(repair.stdout).toBe('');
    expect(repair.stderr).toMatch(
      new RegExp(
        `error \\[ROTATE_IN_FLIGHT\\]: ${machine.secretName}: a rotate sent to Clerk at or before .* may still land until .*; repair acts only after that, so that no second rotate can happen at Clerk; nothing was changed`,
      ),
    );
    expect(repair.stderr).toContain(`runbook: ${RUNBOOK_URL}#rotate_in_flight`);
    expect(repairJson.code).toBe(1);
    expect(JSON.parse(repairJson.stdout).error).toMatchObject({
      code: 'ROTATE_IN_FLIGHT',
      progressAt: rotatesInFlight[0].until,
    });

    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error [ROTATE_IN_FLIGHT]');
    expect(again.stderr).toContain('rotate acts only after that');
  });
});
