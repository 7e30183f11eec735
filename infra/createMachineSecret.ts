import { RemovalPolicy, SecretValue, Tags, Tokenization } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { PACKAGE_NAME, TagKey } from '../lib/constants.ts';
import type { MachineOptions } from './MachineOptions.ts';
import { secretIdOf } from './secretArns.ts';

/** What a created machine secret gets besides the machine's options; overrides already validated (seconds). */
export interface MachineSecretSettings {
  readonly encryptionKey?: kms.IKey;
  readonly replicaRegions?: ReadonlyArray<string | secretsmanager.ReplicaRegion>;
  readonly previousKeyTtlSeconds?: number;
  readonly minRotationIntervalSeconds?: number;
}

/**
 * Creates the secret `addMachine` rotates: value `{"machineId": "mch_…"}` only (the operator seeds the key after
 * deploying; a key never goes into a template), the machine-id tag that binds it to its machine, and the tags of
 * the per-machine overrides, which the function reads.
 */
export function createMachineSecret(
  scope: Construct,
  options: MachineOptions,
  settings: MachineSecretSettings,
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, 'Secret', {
    secretName: options.secretName,
    description: options.description ?? `Clerk machine secret key for ${options.machineId}, rotated by ${PACKAGE_NAME}`,
    secretObjectValue: { machineId: SecretValue.unsafePlainText(options.machineId) },
    encryptionKey: settings.encryptionKey,
    replicaRegions: settings.replicaRegions?.map((replica) =>
      typeof replica === 'string' ? { region: replica } : replica,
    ),
    removalPolicy: options.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  const tags: [string, number | string | undefined][] = [
    [TagKey.machineId, options.machineId],
    [TagKey.previousKeyTtlSeconds, settings.previousKeyTtlSeconds],
    [TagKey.minRotationIntervalSeconds, settings.minRotationIntervalSeconds],
    [TagKey.instanceKeySecretId, options.instanceKeySecret && secretIdOf(options.instanceKeySecret)],
  ];
  for (const [key, value] of tags) {
    if (value === undefined) continue;
    Tags.of(secret).add(key, typeof value === 'number' ? Tokenization.stringifyNumber(value) : value);
  }
  return secret;
}
