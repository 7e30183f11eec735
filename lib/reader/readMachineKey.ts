import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { sendWithTimeout } from '../aws/sendWithTimeout.ts';
import { storeCall } from '../aws/storeCall.ts';
import { ErrorCode, SecretFormatError } from '../errors.ts';
import { parseMachineSecret } from '../secretFormat.ts';
import type { MachineKey } from './MachineKeyProvider.ts';

export interface MachineKeyReadRequest {
  readonly secretId: string;
  readonly versionStage: string;
  readonly timeoutMs: number;
}

export interface MachineKeyRead {
  readonly key: MachineKey;
  /** The ARN and name Secrets Manager reported for the secret, to recognise it in notifications. */
  readonly aliases: readonly string[];
}

/**
 * One GetSecretValue under a hard timeout, parsed at the boundary. A failed call throws SecretStoreError (the SDK's
 * error as its cause, for classifyAwsError); a value that is not a machine secret throws SecretFormatError.
 */
export async function readMachineKey(
  client: SecretsManagerClient,
  request: MachineKeyReadRequest,
): Promise<MachineKeyRead> {
  const { secretId, versionStage } = request;
  const output = await storeCall(
    'GetSecretValue',
    () =>
      sendWithTimeout(
        (abortSignal) =>
          client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: versionStage }), { abortSignal }),
        request.timeoutMs,
      ),
    { secretId, versionStage },
  );
  const where = `${versionStage} of ${output.ARN ?? secretId}`;
  const secret = parseMachineSecret(output.SecretString, where);
  if (output.VersionId === undefined || output.VersionId === '') {
    throw new SecretFormatError(ErrorCode.secretFormatInvalid, `${where}: GetSecretValue returned no VersionId`);
  }
  return {
    key: {
      machineId: secret.machineId,
      secretKey: secret.secretKey,
      versionId: output.VersionId,
      rotatedAt: secret.rotatedAt,
      previousKeyExpiresAt: secret.previousKeyExpiresAt,
    },
    aliases: [output.ARN, output.Name].filter((alias): alias is string => typeof alias === 'string' && alias !== ''),
  };
}
