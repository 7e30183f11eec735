/**
 * `rotate` refuses, before anything changes, a rotation the rotation function would refuse: too soon after the last
 * one (by the function's own rule and the secret's tag), or with a minimum-interval tag the function cannot read.
 * Real processes against the local stack.
 */
import { describe, expect, it } from 'vitest';
import { RUNBOOK_URL, Stage, TagKey } from '../../lib/constants.ts';
import { milestones, runInProcess, stagesOf, useCliStack } from './cliTestSupport.ts';

describe('CLI: rotate refuses what the rotation function would refuse', () => {
  const fixture = useCliStack();
  const { cli, local } = fixture;

  /** A machine whose secret was rotated just now, in-process. */
  async function justRotated(name: string, tags: Readonly<Record<string, string>> = {}) {
    const machine = await fixture.stack.addMachine({ name, tags });
    await fixture.stack.rotate(machine.secretName);
    await fixture.stack.secretsManager.rotationsIdle();
    expect(fixture.stack.secretsManager.rotations().at(-1)?.outcome).toBe('succeeded');
    return machine;
  }

  it('refuses within the default minimum interval, says when a rotation becomes possible, and changes nothing', async () => {
    // Prepare
    const machine = await justRotated('too-soon');
    const rotationsBefore = fixture.stack.secretsManager.rotations().length;
    const stagesBefore = stagesOf(fixture.stack, machine.secretName);

    // Act
    const started = Date.now();
    const text = await cli('rotate', machine.secretName, '--wait');
    const waited = Date.now() - started;
    const json = await local('--json', 'rotate', machine.secretName);

    // Assess: at once, with the real cause, and nothing started.
    expect(text.code).toBe(1);
    expect(waited).toBeLessThan(15_000);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(
      new RegExp(
        `error \\[ROTATION_TOO_SOON\\]: ${machine.secretName} was last rotated at [\\d:TZ-]+ \\(\\d+ s ago\\) and the minimum interval between rotations is 1800 s \\(the default\\): a rotation is possible from [\\d:TZ-]+ \\(in (29|30) min( \\d+ s)?\\); nothing was changed`,
      ),
    );
    expect(text.stderr).toContain(`runbook: ${RUNBOOK_URL}#rotation_too_soon`);
    expect(json.code).toBe(1);
    const { error } = JSON.parse(json.stdout);
    expect(error).toMatchObject({ code: 'ROTATION_TOO_SOON', runbook: `${RUNBOOK_URL}#rotation_too_soon` });
    expect(Date.parse(error.possibleAt) - Date.parse(error.lastRotatedAt)).toBe(1_800_000);
    expect(fixture.stack.secretsManager.rotations()).toHaveLength(rotationsBefore);
    expect(stagesOf(fixture.stack, machine.secretName)).toEqual(stagesBefore);
  });

  it('applies the secret’s own interval: a tag of 60 s refuses, a tag of 0 lets the rotation run', async () => {
    // Prepare
    const short = await justRotated('interval-tagged', { [TagKey.minRotationIntervalSeconds]: '60' });
    const none = await justRotated('interval-off', { [TagKey.minRotationIntervalSeconds]: '0' });

    // Act
    const refused = await cli('rotate', short.secretName, '--wait');
    const rotated = await cli('rotate', none.secretName, '--wait', '--poll-interval', '0.2');

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /the minimum interval between rotations is 60 s \(secret tag clerk-rotator:min-rotation-interval-seconds\): a rotation is possible from .* \(in (\d+ s|1 min)\)/,
    );
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(milestones(rotated.stdout)).toContain('finished');
  });

  it('takes the function’s interval from MIN_ROTATION_INTERVAL_SECONDS in its environment, below the secret’s tag', async () => {
    // Prepare: the function's default is 1800 s; an operator whose functions run with 60 s says so to the CLI.
    const machine = await justRotated('interval-from-env');
    const tagged = await justRotated('interval-env-and-tag', { [TagKey.minRotationIntervalSeconds]: '0' });
    const env = { ...fixture.env, MIN_ROTATION_INTERVAL_SECONDS: '60' };

    // Act
    const refused = await runInProcess(['rotate', machine.secretName], { env });
    const rotated = await runInProcess(['rotate', tagged.secretName, '--wait', '--poll-interval', '0.2'], { env });

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /the minimum interval between rotations is 60 s \(MIN_ROTATION_INTERVAL_SECONDS in the CLI's environment\): a rotation is possible from .* \(in (\d+ s|1 min)\); nothing was changed/,
    );
    expect(rotated.code, rotated.stderr).toBe(0);
  });

  it('refuses a minimum-interval tag the rotation function could not read', async () => {
    // Prepare
    const machine = await fixture.stack.addMachine({
      name: 'interval-invalid',
      tags: { [TagKey.minRotationIntervalSeconds]: 'soon' },
    });
    const rotationsBefore = fixture.stack.secretsManager.rotations().length;

    // Act
    const run = await cli('rotate', machine.secretName);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'error [CONFIG_INVALID]: secret tag clerk-rotator:min-rotation-interval-seconds must be a whole number of seconds from 0 to 86400, got "soon"',
    );
    expect(fixture.stack.secretsManager.rotations()).toHaveLength(rotationsBefore);
    expect(Object.values(stagesOf(fixture.stack, machine.secretName))).toEqual([Stage.current]);
  });
});
