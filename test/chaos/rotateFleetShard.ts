import { EnvVar, Stage, TagKey } from '../../lib/constants.ts';
import { startLocalStack } from '../../localstack/startLocalStack.ts';
import { FUNCTION_SECRETS_MANAGER_OPERATIONS } from '../support/functionSecretsManagerOperations.ts';
import { createSecretsManagerWire, type SecretsManagerWire } from './createSecretsManagerWire.ts';

export interface FleetMachine {
  readonly machineId: string;
  readonly name: string;
  /** The key Clerk issued at creation: the secret's first AWSCURRENT. */
  readonly initialKey: string;
}

export interface FleetShardOptions {
  /** The shared Clerk emulator every shard's function calls (one instance key, one rate limit). */
  readonly clerkUrl: string;
  readonly instanceKey: string;
  readonly machines: readonly FleetMachine[];
  /** Rotations in flight at once in this shard. */
  readonly concurrency: number;
  /** Probabilities of an InternalServiceError and of a lost response on the function's Secrets Manager calls. */
  readonly secretsManagerFaults: { readonly errorRate: number; readonly dropResponseRate: number };
  readonly seed: number;
}

/** Plain data, so a worker thread can post it. */
export interface FleetShardResult {
  readonly machines: readonly {
    readonly machineId: string;
    /** AWSCURRENT's key after the rotation. */
    readonly currentKey: string | undefined;
    /** Keys in any labelled version. */
    readonly storedKeys: readonly string[];
    /** AWSPENDING left on a version that is not AWSCURRENT. */
    readonly pendingLeft: boolean;
    readonly outcome: string;
    readonly attempts: number;
  }[];
  /** Every log line of this shard's rotation function. */
  readonly logs: readonly string[];
  /** Faults the Secrets Manager emulator injected into the function's calls. */
  readonly injected: { readonly errors: number; readonly lostResponses: number };
}

const FLEET_INSTANCE_KEY_SECRET = 'clerk/fleet-instance-key';
/**
 * The landing horizon, at the 10 s minimum (docs/decisions/007-landing-horizon.md). Sound for this fault model: an
 * injected 5xx is answered instead of Clerk and never processed, a lost response is lost after Clerk processed the
 * call, and nothing holds a request in between — no rotate can land later than its client saw the failure. A rotate
 * whose outcome is unknown therefore blocks its secret for the horizon plus the 10 s send window, 20 s of real time.
 */
export const FLEET_LANDING_HORIZON_SECONDS = 10;
/**
 * A wire's connection pool holds 16 sockets, and a synchronous RotateSecret holds one for its whole rotation (a
 * horizon wait included): one wire per 16 rotations in flight, or the pool, not `concurrency`, sets the pace.
 */
const WIRE_SOCKETS = 16;

/**
 * Secrets Manager re-attempts a failed rotation after 100 ms, doubling up to 5 s: a plain failure is re-run at once,
 * as before, and a secret waiting out a horizon costs about nine re-attempts (each a few Secrets Manager reads and no
 * Clerk call) instead of two hundred.
 */
export const fleetReattemptBackoffMs = (failedAttempt: number): number =>
  Math.min(100 * 2 ** (failedAttempt - 1), 5_000);

/**
 * One shard of the fleet: a Secrets Manager emulator of its own with the real rotation function, pointed at the
 * shared Clerk emulator. Creates a secret per machine, rotates them all (RotateSecret, sync mode, `concurrency`
 * at a time; Secrets Manager re-attempts a failed rotation up to 200 times, `fleetReattemptBackoffMs` apart — hours,
 * compressed), then reads back what each secret holds.
 */
export async function rotateFleetShard(options: FleetShardOptions): Promise<FleetShardResult> {
  const logs: string[] = [];
  const stack = await startLocalStack({
    clock: 'system',
    seed: options.seed,
    rotation: 'sync',
    rotationMaxAttempts: 200,
    rotationBackoffMs: fleetReattemptBackoffMs,
    clerkRetry: { minTimeoutMs: 10, maxTimeoutMs: 200 },
    functionEnv: {
      [EnvVar.clerkApiUrl]: options.clerkUrl,
      [EnvVar.instanceKeySecretId]: FLEET_INSTANCE_KEY_SECRET,
      [EnvVar.rotateLandingHorizonSeconds]: String(FLEET_LANDING_HORIZON_SECONDS),
    },
    writeLog: (line) => logs.push(line),
  });
  const wire = createSecretsManagerWire(stack.secretsManager.endpoint);
  const rotateWires = Array.from({ length: Math.ceil(options.concurrency / WIRE_SOCKETS) }, () =>
    createSecretsManagerWire(stack.secretsManager.endpoint),
  );
  try {
    await wire.call('CreateSecret', { Name: FLEET_INSTANCE_KEY_SECRET, SecretString: options.instanceKey });
    const secrets: { machine: FleetMachine; arn: string }[] = [];
    for (const machine of options.machines) {
      const created = await wire.call<{ ARN: string }>('CreateSecret', {
        Name: `fleet/${machine.name}`,
        SecretString: JSON.stringify({ machineId: machine.machineId, secretKey: machine.initialKey }),
        // The binding the function requires (the construct and `clerk-rotator init` set it).
        Tags: [{ Key: TagKey.machineId, Value: machine.machineId }],
      });
      secrets.push({ machine, arn: created.ARN });
    }

    const { errorRate, dropResponseRate } = options.secretsManagerFaults;
    for (const operation of FUNCTION_SECRETS_MANAGER_OPERATIONS) {
      stack.secretsManager.faults.randomly({ match: operation, rate: errorRate, kind: 'error' });
      stack.secretsManager.faults.randomly({ match: operation, rate: dropResponseRate, kind: 'drop-after-processing' });
    }
    let next = 0;
    const rotateNext = async (wire: SecretsManagerWire): Promise<void> => {
      for (let index = next++; index < secrets.length; index = next++) {
        const secret = secrets[index];
        if (secret === undefined) return;
        await wire.call('RotateSecret', {
          SecretId: secret.arn,
          RotationLambdaARN: stack.functionArn,
          RotateImmediately: true,
        });
      }
    };
    await Promise.all(
      Array.from({ length: options.concurrency }, (_, slot) =>
        rotateNext(rotateWires[Math.floor(slot / WIRE_SOCKETS)] ?? wire),
      ),
    );
    stack.secretsManager.faults.clear();

    const records = new Map(stack.secretsManager.rotations().map((record) => [record.secretArn, record]));
    const machines: FleetShardResult['machines'][number][] = [];
    for (const { machine, arn } of secrets) {
      const versions = stack.secretsManager.inspectSecret(arn)?.versions ?? [];
      const storedKeys: string[] = [];
      let currentKey: string | undefined;
      for (const version of versions) {
        if (version.stages.length === 0 || !version.hasValue) continue;
        const out = await wire.call<{ SecretString?: string }>('GetSecretValue', {
          SecretId: arn,
          VersionId: version.versionId,
        });
        const key = (JSON.parse(out.SecretString ?? '{}') as { secretKey?: string }).secretKey;
        if (key === undefined) continue;
        storedKeys.push(key);
        if (version.stages.includes(Stage.current)) currentKey = key;
      }
      const record = records.get(arn);
      machines.push({
        machineId: machine.machineId,
        currentKey,
        storedKeys,
        pendingLeft: versions.some((v) => v.stages.includes(Stage.pending) && !v.stages.includes(Stage.current)),
        outcome: record?.outcome ?? 'never started',
        attempts: record?.attempts.length ?? 0,
      });
    }
    const audit = stack.secretsManager.audit.entries();
    const injected = {
      errors: audit.filter((entry) => entry.fault === 'error').length,
      lostResponses: audit.filter((entry) => entry.fault === 'drop-after-processing').length,
    };
    return { machines, logs, injected };
  } finally {
    wire.close();
    for (const rotateWire of rotateWires) rotateWire.close();
    await stack.close();
  }
}
