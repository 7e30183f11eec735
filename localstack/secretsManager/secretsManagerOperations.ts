/** The operations the emulator implements, by their AWS names (`X-Amz-Target: secretsmanager.<name>`). */
export const SECRETS_MANAGER_OPERATIONS = [
  'CreateSecret',
  'DescribeSecret',
  'GetSecretValue',
  'PutSecretValue',
  'UpdateSecret',
  'UpdateSecretVersionStage',
  'ListSecretVersionIds',
  'ListSecrets',
  'DeleteSecret',
  'RestoreSecret',
  'TagResource',
  'UntagResource',
  'RotateSecret',
  'CancelRotateSecret',
] as const;
export type SecretsManagerOperation = (typeof SECRETS_MANAGER_OPERATIONS)[number];

/** What the audit log records for a request whose X-Amz-Target names no operation. */
export const UNKNOWN_OPERATION = '(unknown)';
