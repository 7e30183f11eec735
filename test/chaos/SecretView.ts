import { Stage } from '../../lib/constants.ts';
import { type RotateRecord, readRotateRecords } from '../../lib/core/rotateRecords.ts';
import type { LocalMachine } from '../../localstack/startLocalStack.ts';
import type { ChaosStack } from './ChaosStack.ts';

export interface VersionView {
  readonly versionId: string;
  readonly stages: readonly string[];
  readonly hasValue: boolean;
  readonly createdAt: number;
}

/**
 * The run's window on its secret. Labels come from the emulator's state (free, and safe inside a hook); values and
 * tags are read over the run's own wire, never from inside a hook (a read there could take a fault meant for the
 * function). A version's value never changes once written, so values are cached by version id.
 */
export class SecretView {
  readonly #chaos: ChaosStack;
  readonly machine: LocalMachine;
  readonly #keyOfVersion = new Map<string, string>();

  constructor(chaos: ChaosStack, machine: LocalMachine, initial: { versionId: string; key: string }) {
    this.#chaos = chaos;
    this.machine = machine;
    this.#keyOfVersion.set(initial.versionId, initial.key);
  }

  /** The rotation function configured on the secret (none until the run's first RotateSecret). */
  rotationLambdaArn(): string | undefined {
    return this.#chaos.stack.secretsManager.inspectSecret(this.machine.secretArn)?.rotationLambdaArn;
  }

  versions(): readonly VersionView[] {
    return this.#chaos.stack.secretsManager.inspectSecret(this.machine.secretArn)?.versions ?? [];
  }

  versionWith(stage: string): VersionView | undefined {
    return this.versions().find((v) => v.stages.includes(stage));
  }

  /** AWSPENDING on a version that is not AWSCURRENT: a rotation is running or failed. */
  pendingVersion(): VersionView | undefined {
    return this.versions().find((v) => v.stages.includes(Stage.pending) && !v.stages.includes(Stage.current));
  }

  /** AWSCURRENT's version and key, from the cache only (safe inside a hook). */
  cachedCurrent(): { versionId: string; key: string } | undefined {
    const current = this.versionWith(Stage.current);
    const key = current === undefined ? undefined : this.#keyOfVersion.get(current.versionId);
    return current === undefined || key === undefined ? undefined : { versionId: current.versionId, key };
  }

  async current(): Promise<{ versionId: string; key: string | undefined } | undefined> {
    const current = this.versionWith(Stage.current);
    return current === undefined
      ? undefined
      : { versionId: current.versionId, key: await this.keyOf(current.versionId) };
  }

  async keyOf(versionId: string): Promise<string | undefined> {
    const cached = this.#keyOfVersion.get(versionId);
    if (cached !== undefined) return cached;
    const out = await this.#chaos.wire.call<{ SecretString?: string }>('GetSecretValue', {
      SecretId: this.machine.secretArn,
      VersionId: versionId,
    });
    const key = (JSON.parse(out.SecretString ?? '{}') as { secretKey?: string }).secretKey;
    if (key !== undefined) this.#keyOfVersion.set(versionId, key);
    return key;
  }

  /** Whether `key` is the value of a labelled version. */
  async isStored(key: string): Promise<boolean> {
    for (const version of this.versions()) {
      if (version.stages.length === 0 || !version.hasValue) continue;
      if ((await this.keyOf(version.versionId)) === key) return true;
    }
    return false;
  }

  /** The rotate records (docs/decisions/007) on the secret whose rotate may still land at `now`. */
  async recordsInFlight(now: number, horizonMs: number): Promise<RotateRecord[]> {
    const out = await this.#chaos.wire.call<{ Tags?: { Key: string; Value: string }[] }>('DescribeSecret', {
      SecretId: this.machine.secretArn,
    });
    const tags = Object.fromEntries((out.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
    const answered = new Set(this.versions().flatMap((v) => (v.hasValue ? [v.versionId] : [])));
    return readRotateRecords(tags).filter(
      (record) => now < record.sentAt + horizonMs && !answered.has(record.versionId),
    );
  }
}
