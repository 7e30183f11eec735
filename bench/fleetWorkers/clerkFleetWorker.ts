/**
 * The fleet's Clerk: one emulator (one instance key, one rate-limit bucket for the whole fleet) in a thread of its
 * own, so that answering Clerk calls does not compete with the rotation functions for one event loop. Started by
 * measureFaultyFleet through startBenchWorker.
 */
import { type ClerkEmulator, type RateLimitOptions, startClerkEmulator } from '../../localstack/clerk/index.ts';
import { serveBenchCommands } from '../workers/serveBenchCommands.ts';
import { createSharedClock, type SharedTime } from './sharedTime.ts';

export interface ClerkFaults {
  /** Probability that a call is answered 503 instead of being processed (it never lands). */
  readonly serverErrorRate: number;
  /** Probability that a call is processed and its response lost (it has landed when the client hears of it). */
  readonly lostResponseRate: number;
}

export interface ClerkFleetStart {
  readonly time: SharedTime;
  readonly machines: number;
  /** In stack time; false: no limit. */
  readonly rateLimit: RateLimitOptions | false;
  readonly faults: ClerkFaults | false;
  readonly seed: number;
}

export interface FleetMachine {
  readonly machineId: string;
  readonly name: string;
  /** The key Clerk issued at creation: the secret's first AWSCURRENT. */
  readonly initialKey: string;
}

export interface ClerkFleetStarted {
  readonly url: string;
  readonly instanceKey: string;
  readonly machines: readonly FleetMachine[];
}

/** What Clerk saw of the run: counts only, and per machine its API rotations and current key. */
export interface ClerkFleetReport {
  readonly machines: readonly {
    readonly machineId: string;
    readonly apiRotations: number;
    readonly currentKey: string;
  }[];
  readonly calls: number;
  readonly instanceKeyCalls: number;
  /** Instance-key calls that counted against the limit: neither refused (429) nor answered by an injected error. */
  readonly countedInstanceKeyCalls: number;
  readonly status429: number;
  readonly injectedServerErrors: number;
  readonly lostResponses: number;
  readonly byOperation: Readonly<Record<string, number>>;
}

let clerk: ClerkEmulator | undefined;
let machineIds: string[] = [];

async function start(options: ClerkFleetStart): Promise<ClerkFleetStarted> {
  const emulator = await startClerkEmulator({
    clock: createSharedClock(options.time),
    rateLimit: options.rateLimit,
    seed: options.seed,
  });
  clerk = emulator;
  const machines = Array.from({ length: options.machines }, (_, index) => {
    const machine = emulator.createMachine({ name: `fleet-${String(index).padStart(5, '0')}` });
    return { machineId: machine.id, name: machine.name, initialKey: machine.secretKey };
  });
  machineIds = machines.map((machine) => machine.machineId);
  if (options.faults !== false) {
    emulator.faults.randomly({ rate: options.faults.serverErrorRate, kind: '5xx' });
    emulator.faults.randomly({ rate: options.faults.lostResponseRate, kind: 'drop-after-processing' });
  }
  return { url: emulator.url, instanceKey: emulator.defaultInstance.secretKey, machines };
}

/** Called once every shard is done: faults off, everything landed, then Clerk's view of the run. */
async function report(): Promise<ClerkFleetReport> {
  if (clerk === undefined) throw new Error('report before start');
  const emulator = clerk;
  emulator.faults.clear();
  await emulator.settled();
  const apiRotations = new Map<string, number>();
  for (const rotation of emulator.rotationHistory()) {
    if (rotation.source === 'api')
      apiRotations.set(rotation.machineId, (apiRotations.get(rotation.machineId) ?? 0) + 1);
  }
  const audit = emulator.audit.entries();
  const instance = audit.filter((entry) => entry.keyKind === 'instance');
  return {
    machines: machineIds.map((machineId) => ({
      machineId,
      apiRotations: apiRotations.get(machineId) ?? 0,
      currentKey: emulator.currentKey(machineId),
    })),
    calls: audit.length,
    instanceKeyCalls: instance.length,
    countedInstanceKeyCalls: instance.filter((entry) => entry.status !== 429 && entry.fault !== 'error').length,
    status429: audit.filter((entry) => entry.status === 429).length,
    injectedServerErrors: audit.filter((entry) => entry.fault === 'error').length,
    lostResponses: audit.filter((entry) => entry.fault === 'drop-after-processing').length,
    byOperation: emulator.audit.countsByOperation(),
  };
}

serveBenchCommands({
  start: (options: ClerkFleetStart) => start(options),
  report: () => report(),
  close: async () => {
    await clerk?.close();
    clerk = undefined;
  },
});
