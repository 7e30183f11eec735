import { INSTANCE_KEY_PREFIXES, MACHINE_KEY_PREFIX } from '../../lib/constants.ts';
import type { Clock } from '../common/Clock.ts';
import { InvalidEmulatorOptionError, UnknownInstanceError, UnknownMachineError } from './errors.ts';
import {
  newInstanceId,
  newInstanceSecretKey,
  newMachineId,
  newMachineSecretKey,
  newSigningSecret,
} from './identifiers.ts';
import { M2MTokenStore } from './M2MTokenStore.ts';
import { MachineKeyRing } from './MachineKeyRing.ts';
import { fingerprintSecret, RedactedSecret } from './RedactedSecret.ts';

export interface InstanceRecord {
  readonly id: string;
  readonly secretKey: RedactedSecret;
  /** HMAC secret for JWT-format M2M tokens. */
  readonly signingSecret: Buffer;
  readonly createdAt: number;
}

export interface MachineRecord {
  readonly id: string;
  readonly instanceId: string;
  readonly name: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly defaultTokenTtlSeconds: number;
  scopedMachineIds: string[];
  readonly keys: MachineKeyRing;
  readonly seq: number;
}

/** Who a bearer key belongs to. */
export type Principal =
  | { readonly kind: 'instance'; readonly instanceId: string }
  | { readonly kind: 'machine'; readonly instanceId: string; readonly machineId: string };

export type RotationSource = 'api' | 'dashboard';

export interface RotationRecord {
  readonly machineId: string;
  readonly at: number;
  readonly previousTokenTtlSeconds: number;
  readonly source: RotationSource;
}

export interface CreateInstanceInput {
  /** Use this instance key instead of a random `sk_test_…` one (must start with `sk_test_` or `sk_live_`). */
  readonly secretKey?: string;
}

export interface CreateMachineInput {
  readonly name?: string;
  readonly scopedMachineIds?: readonly string[];
  /** @default 3600 — Clerk's default_token_ttl. */
  readonly defaultTokenTtlSeconds?: number;
  /** Use this machine key instead of a random `ak_…` one. */
  readonly secretKey?: string;
}

type IndexEntry =
  | { readonly kind: 'instance'; readonly instanceId: string }
  | { readonly kind: 'machine'; readonly machineId: string };

export const DEFAULT_TOKEN_TTL_SECONDS = 3600;

/**
 * Everything the emulated Clerk knows: instances with their keys, machines with their key rings, stored M2M tokens.
 * Pure in-memory state driven by the injected clock; the HTTP layer and the test helpers both work through it.
 */
export class ClerkState {
  readonly #clock: Clock;
  readonly #instances = new Map<string, InstanceRecord>();
  readonly #machines = new Map<string, MachineRecord>();
  /** sha256(key) → owner; keys themselves are never map keys. */
  readonly #keyIndex = new Map<string, IndexEntry>();
  readonly #rotations: RotationRecord[] = [];
  readonly tokens: M2MTokenStore;
  #seq = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.tokens = new M2MTokenStore(clock);
  }

  #now(): number {
    return Math.floor(this.#clock.now());
  }

  #claimKey(value: string, entry: IndexEntry, option: string): void {
    const fingerprint = fingerprintSecret(value);
    if (this.#keyIndex.has(fingerprint)) throw new InvalidEmulatorOptionError(option, 'is already in use');
    this.#keyIndex.set(fingerprint, entry);
  }

  createInstance(input: CreateInstanceInput = {}): InstanceRecord {
    const secretKey = input.secretKey ?? newInstanceSecretKey();
    if (!INSTANCE_KEY_PREFIXES.some((prefix) => secretKey.startsWith(prefix) && secretKey.length > prefix.length)) {
      throw new InvalidEmulatorOptionError('secretKey', `must start with ${INSTANCE_KEY_PREFIXES.join(' or ')}`);
    }
    const id = newInstanceId();
    this.#claimKey(secretKey, { kind: 'instance', instanceId: id }, 'secretKey');
    const instance: InstanceRecord = {
      id,
      secretKey: new RedactedSecret(secretKey),
      signingSecret: newSigningSecret(),
      createdAt: this.#now(),
    };
    this.#instances.set(id, instance);
    return instance;
  }

  getInstance(instanceId: string): InstanceRecord {
    const instance = this.#instances.get(instanceId);
    if (instance === undefined) throw new UnknownInstanceError(instanceId);
    return instance;
  }

  createMachine(instanceId: string, input: CreateMachineInput = {}): MachineRecord {
    this.getInstance(instanceId);
    const scopedMachineIds = [...new Set(input.scopedMachineIds ?? [])];
    for (const scoped of scopedMachineIds) {
      if (this.findMachine(instanceId, scoped) === undefined) throw new UnknownMachineError(scoped);
    }
    const ttl = input.defaultTokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 1) {
      throw new InvalidEmulatorOptionError('defaultTokenTtlSeconds', `must be a positive integer, got ${ttl}`);
    }
    const secretKey = input.secretKey ?? newMachineSecretKey();
    if (!secretKey.startsWith(MACHINE_KEY_PREFIX) || secretKey.length <= MACHINE_KEY_PREFIX.length) {
      throw new InvalidEmulatorOptionError('secretKey', `must start with ${MACHINE_KEY_PREFIX}`);
    }
    const id = newMachineId();
    this.#claimKey(secretKey, { kind: 'machine', machineId: id }, 'secretKey');
    const now = this.#now();
    const seq = this.#seq++;
    const machine: MachineRecord = {
      id,
      instanceId,
      name: input.name ?? `machine-${seq + 1}`,
      createdAt: now,
      updatedAt: now,
      defaultTokenTtlSeconds: ttl,
      scopedMachineIds,
      keys: new MachineKeyRing(secretKey),
      seq,
    };
    this.#machines.set(id, machine);
    return machine;
  }

  /** Machines of one instance in creation order. */
  listMachines(instanceId: string): MachineRecord[] {
    return [...this.#machines.values()].filter((m) => m.instanceId === instanceId);
  }

  /** A machine as seen from `instanceId`: another instance's machine is as good as absent. */
  findMachine(instanceId: string, machineId: string): MachineRecord | undefined {
    const machine = this.#machines.get(machineId);
    return machine?.instanceId === instanceId ? machine : undefined;
  }

  getMachine(machineId: string): MachineRecord {
    const machine = this.#machines.get(machineId);
    if (machine === undefined) throw new UnknownMachineError(machineId);
    return machine;
  }

  hasMachine(machineId: string): boolean {
    return this.#machines.has(machineId);
  }

  deleteMachine(machineId: string): void {
    const machine = this.getMachine(machineId);
    for (const fingerprint of machine.keys.fingerprints()) this.#keyIndex.delete(fingerprint);
    this.#machines.delete(machineId);
    for (const other of this.#machines.values()) {
      other.scopedMachineIds = other.scopedMachineIds.filter((id) => id !== machineId);
    }
    this.tokens.deleteForSubject(machineId);
  }

  currentKey(machineId: string): string {
    return this.getMachine(machineId).keys.current.reveal();
  }

  /** Rotates with Clerk's semantics (see MachineKeyRing) and returns the new key. */
  rotateKey(machineId: string, previousTokenTtlSeconds: number, source: RotationSource): string {
    const machine = this.getMachine(machineId);
    const newKey = newMachineSecretKey();
    const now = this.#now();
    const { retiredFingerprints } = machine.keys.rotate(newKey, previousTokenTtlSeconds, now);
    for (const fingerprint of retiredFingerprints) this.#keyIndex.delete(fingerprint);
    this.#keyIndex.set(fingerprintSecret(newKey), { kind: 'machine', machineId });
    this.#rotations.push({ machineId, at: now, previousTokenTtlSeconds, source });
    return newKey;
  }

  rotations(machineId?: string): RotationRecord[] {
    return this.#rotations.filter((r) => machineId === undefined || r.machineId === machineId);
  }

  /** Who `key` authenticates as right now, or `undefined` (unknown, expired or deleted). */
  authenticate(key: string): Principal | undefined {
    const fingerprint = fingerprintSecret(key);
    const entry = this.#keyIndex.get(fingerprint);
    if (entry === undefined) return undefined;
    if (entry.kind === 'instance') return entry;
    const machine = this.#machines.get(entry.machineId);
    if (machine === undefined || machine.keys.standing(fingerprint, this.#clock.now()) === undefined) return undefined;
    return { kind: 'machine', instanceId: machine.instanceId, machineId: machine.id };
  }

  isKeyValid(machineId: string, key: string): boolean {
    const principal = this.authenticate(key);
    return principal?.kind === 'machine' && principal.machineId === machineId;
  }
}
