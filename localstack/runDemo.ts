import { createHash } from 'node:crypto';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { createClerkClient } from '../lib/clerk/ClerkClient.ts';
import { askClerkAboutKey } from '../lib/core/askClerkAboutKey.ts';
import { Redacted } from '../lib/Redacted.ts';
import { type MachineSecret, parseMachineSecret } from '../lib/secretFormat.ts';
import type { LocalMachine, LocalStack } from './LocalStack.ts';
import { startLocalStack } from './startLocalStack.ts';

export interface DemoOptions {
  readonly write: (line: string) => void;
  readonly color: boolean;
  /** The overlap the demo configures (seconds). @default 3600 */
  readonly previousKeyTtlSeconds?: number;
}

/** A short, stable fingerprint so the demo can tell keys apart without ever printing one. */
export function fingerprint(key: Redacted): string {
  return `key#${createHash('sha256').update(key.reveal()).digest('hex').slice(0, 8)}`;
}

interface Narrator {
  readonly say: (text?: string) => void;
  readonly ok: (text: string) => void;
  readonly bad: (text: string) => void;
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly green: (text: string) => string;
}

function narrator(options: DemoOptions): Narrator {
  const paint = (code: string) => (text: string) => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const [bold, green, red, dim] = [paint('1'), paint('32'), paint('31'), paint('2')];
  const say = (text = '') => options.write(text);
  return {
    say,
    bold,
    dim,
    green,
    ok: (text) => say(`  ${green('✓')} ${text}`),
    bad: (text) => say(`  ${red('✗')} ${text}`),
  };
}

interface Demo {
  readonly stack: LocalStack;
  readonly machine: LocalMachine;
  readonly ttl: number;
  readonly steps: { step: string; outcome: string; durationMs: number }[];
  readonly n: Narrator;
  readonly works: (key: Redacted) => Promise<boolean>;
  readonly readCurrent: () => Promise<{ versionId: string | undefined; value: MachineSecret }>;
}

async function rotateAndNarrate({ stack, machine, steps, n }: Demo): Promise<void> {
  n.say();
  n.say(n.bold('2. RotateSecret runs the rotation function, step by step'));
  steps.length = 0;
  const started = performance.now();
  await stack.rotate(machine.secretName);
  for (const s of steps) n.ok(`${s.step.padEnd(13)} ${s.outcome.padEnd(10)} ${n.dim(`${s.durationMs} ms`)}`);
  const rotations = stack.clerk.rotationsFor(machine.machineId).length;
  n.say(n.dim(`  rotation took ${Math.round(performance.now() - started)} ms; Clerk rotated ${rotations} time(s)`));
}

async function showNewKeyIsCurrent(demo: Demo, before: MachineSecret): Promise<MachineSecret | undefined> {
  const { stack, machine, n } = demo;
  n.say();
  n.say(n.bold('3. The new key is AWSCURRENT'));
  const after = await demo.readCurrent();
  const described = await stack.client.send(new DescribeSecretCommand({ SecretId: machine.secretName }));
  for (const [id, stages] of Object.entries(described.VersionIdsToStages ?? {})) {
    n.say(n.dim(`  ${id}: ${stages.join(',')}`));
  }
  const clerkCurrent = new Redacted(stack.clerk.currentKey(machine.machineId));
  if (after.value.secretKey.equals(before.secretKey) || !after.value.secretKey.equals(clerkCurrent)) {
    n.bad('AWSCURRENT does not hold Clerk’s new key');
    return undefined;
  }
  const works = await demo.works(after.value.secretKey);
  n.ok(`${fingerprint(after.value.secretKey)} is AWSCURRENT and Clerk's current key; it works: ${works}`);
  n.say(n.dim(`  previousKeyExpiresAt ${after.value.previousKeyExpiresAt}`));
  return after.value;
}

async function showOverlapAndAfter(demo: Demo, before: MachineSecret, after: MachineSecret): Promise<boolean> {
  const { stack, ttl, n } = demo;
  n.say();
  n.say(n.bold('4. During the overlap, apps that still hold the old key keep working'));
  if (!(await demo.works(before.secretKey))) {
    n.bad('the old key stopped working inside the overlap');
    return false;
  }
  n.ok(`${fingerprint(before.secretKey)} is still accepted`);
  n.say();
  n.say(n.bold(`5. After the TTL (clock fast-forwarded ${ttl} s), only the new key works`));
  stack.clock.advance?.(ttl * 1000);
  const oldWorks = await demo.works(before.secretKey);
  const newWorks = await demo.works(after.secretKey);
  if (oldWorks || !newWorks) {
    n.bad(`old key works: ${oldWorks}, new key works: ${newWorks}`);
    return false;
  }
  n.ok(`${fingerprint(before.secretKey)} is rejected (401)`);
  n.ok(`${fingerprint(after.secretKey)} works`);
  return true;
}

async function narrate(demo: Demo): Promise<number> {
  const { stack, machine, ttl, n } = demo;
  n.say(n.bold('clerk-machine-key-rotator — a real rotation on the local stack'));
  n.say(n.dim(`Clerk emulator ${stack.clerk.url} · Secrets Manager emulator ${stack.secretsManager.endpoint}`));
  n.say();
  n.say(`Machine ${machine.machineId} at Clerk; its key is in secret ${machine.secretName},`);
  n.say(`the Clerk instance key in ${machine.instanceKeySecretName}. Rotation enabled (previous-key TTL ${ttl} s).`);
  const before = await demo.readCurrent();
  n.say();
  n.say(n.bold('1. The app reads AWSCURRENT and calls Clerk with it'));
  if (!(await demo.works(before.value.secretKey))) {
    n.bad('the current key does not work');
    return 1;
  }
  n.ok(`${fingerprint(before.value.secretKey)} (version ${before.versionId}) works`);
  await rotateAndNarrate(demo);
  const after = await showNewKeyIsCurrent(demo, before.value);
  if (after === undefined || !(await showOverlapAndAfter(demo, before.value, after))) return 1;
  n.say();
  n.say(n.green('Done: one rotation at Clerk, no moment without a working key.'));
  return 0;
}

/**
 * `npm run demo`: both emulators in-process, a machine and its two secrets, the real rotation handler, and one real
 * rotation through RotateSecret — narrated the way a user cares about it. Returns the exit code.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const ttl = options.previousKeyTtlSeconds ?? 3600;
  const steps: Demo['steps'] = [];
  const stack = await startLocalStack({
    functionEnv: { PREVIOUS_KEY_TTL_SECONDS: String(ttl) },
    writeLog: (line) => {
      const entry = JSON.parse(line) as { step?: string; outcome?: string; durationMs?: number };
      if (entry.step && entry.outcome && typeof entry.durationMs === 'number') {
        steps.push({ step: entry.step, outcome: entry.outcome, durationMs: entry.durationMs });
      }
    },
  });
  try {
    const clerk = createClerkClient({ fetch: globalThis.fetch, apiUrl: stack.clerk.url });
    const machine = await stack.addMachine({ name: 'payments-worker' });
    return await narrate({
      stack,
      machine,
      ttl,
      steps,
      n: narrator(options),
      works: async (key) => (await askClerkAboutKey(clerk, key, machine.machineId)) === 'accepted',
      readCurrent: async () => {
        const out = await stack.client.send(new GetSecretValueCommand({ SecretId: machine.secretName }));
        return { versionId: out.VersionId, value: parseMachineSecret(out.SecretString, machine.secretName) };
      },
    });
  } finally {
    await stack.close();
  }
}
