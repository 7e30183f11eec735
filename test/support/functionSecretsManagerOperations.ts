/**
 * The Secrets Manager operations the rotation function itself calls (the fleets inject faults only into these, never
 * into the caller's RotateSecret or the run's own read-back).
 */
export const FUNCTION_SECRETS_MANAGER_OPERATIONS = [
  'DescribeSecret',
  'GetSecretValue',
  'PutSecretValue',
  'UpdateSecretVersionStage',
  'TagResource',
  'UntagResource',
  'ListSecretVersionIds',
] as const;
