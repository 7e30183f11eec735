/**
 * With every default in force — the rotation function's (previous-key TTL, minimum interval) and the reader's
 * (maxAge with jitter, stale window on Secrets Manager failures) — a reader never serves a key Clerk has stopped
 * accepting, however closely rotations follow each other: each rotation runs at the first moment the minimum
 * interval allows, and the reader is made as stale as it can get (it refreshes just before each promotion, then
 * Secrets Manager fails transiently for the whole stale window).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Defaults, TagKey } from '../../lib/constants.ts';
import { createMachineKeyProvider } from '../../lib/reader/createMachineKeyProvider.ts';
import { ReaderDefaults } from '../../lib/reader/MachineKeyProviderOptions.ts';
import type { LocalStack } from '../../localstack/LocalStack.ts';
import { startLocalStack } from '../../localstack/startLocalStack.ts';

let stack: LocalStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const SECOND = 1_000;
const POLL_MS = 5 * SECOND;
/** The longest a default reader can go on serving a key it read: maxAge with the top of its jitter, then stale. */
const READER_HOLD_MS = ReaderDefaults.maxAgeMs * (1 + ReaderDefaults.maxAgeJitter) + ReaderDefaults.maxStaleMs;
/**
 * The outage every reader rides out on its cached key, whatever its jitter drew (longer and it would throw rather
 * than serve), less a margin for the rotation's own emulated time.
 */
const OUTAGE_MS = ReaderDefaults.maxAgeMs * (1 - ReaderDefaults.maxAgeJitter) + ReaderDefaults.maxStaleMs - 30 * SECOND;

async function runCycles(
  minIntervalTag: string | undefined,
  { outage }: { outage: boolean },
): Promise<{ servedDead: number; polls: number; rotations: number }> {
  const local = await startLocalStack({});
  stack = local;
  const clock = local.clock as LocalStack['clock'] & { advance(ms: number): void };
  const machine = await local.addMachine({
    ...(minIntervalTag === undefined ? {} : { tags: { [TagKey.minRotationIntervalSeconds]: minIntervalTag } }),
  });
  const client = local.secretsManager.createClient({ maxAttempts: 1 });
  let seed = 7;
  const provider = createMachineKeyProvider({
    secretId: machine.secretName,
    client,
    clock,
    random: () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    },
  });
  const interval =
    (minIntervalTag === undefined ? Defaults.minRotationIntervalSeconds : Number(minIntervalTag)) * SECOND;
  let servedDead = 0;
  let polls = 0;
  const poll = async () => {
    const key = await provider.get();
    polls += 1;
    if (!local.clerk.isKeyValid(machine.machineId, key.secretKey.reveal())) servedDead += 1;
  };
  const pollFor = async (ms: number) => {
    for (let waited = 0; waited < ms; waited += POLL_MS) {
      clock.advance(POLL_MS);
      await poll();
    }
  };

  for (let cycle = 0; cycle < 4; cycle++) {
    // The reader refreshes just before the rotation, so it holds the key being replaced as long as it can.
    if (outage) await provider.refresh();
    else await poll();
    await local.rotate(machine.secretName);
    const lastRotated = local.secretsManager.inspectSecret(machine.secretName)?.lastRotatedAt ?? clock.now();
    if (outage) {
      // Secrets Manager fails for the reader for the whole stale window: it keeps serving what it has.
      local.secretsManager.faults.failNext('GetSecretValue', {
        code: 'ThrottlingException',
        status: 400,
        message: 'Rate exceeded (injected)',
        times: 1_000,
      });
      await pollFor(OUTAGE_MS);
      local.secretsManager.faults.clear();
    }
    // The next rotation at the first moment the minimum interval allows.
    const nextAllowed = lastRotated + interval;
    await pollFor(Math.max(0, nextAllowed - clock.now()));
  }
  client.destroy();
  const rotations = local.clerk.rotationHistory(machine.machineId).filter((r) => r.source === 'api').length;
  return { servedDead, polls, rotations };
}

describe('Defaults: the rotation function and the reader agree', () => {
  it('with every default in force, a reader never serves a key Clerk has stopped accepting', async () => {
    expect(Defaults.minRotationIntervalSeconds * SECOND).toBeGreaterThan(READER_HOLD_MS);
    const { servedDead, polls, rotations } = await runCycles(undefined, { outage: true });
    expect(rotations).toBe(4);
    expect(polls).toBeGreaterThan(1_000);
    expect(servedDead).toBe(0);
  });

  it('rotations closer than a reader’s maxAge make it serve a dead key (the check can fail)', async () => {
    const tooShort = String((ReaderDefaults.maxAgeMs * (1 - ReaderDefaults.maxAgeJitter)) / SECOND - 60);
    const { servedDead, rotations } = await runCycles(tooShort, { outage: false });
    expect(rotations).toBe(4);
    expect(servedDead).toBeGreaterThan(0);
  });
});
