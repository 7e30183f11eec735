/** The emulator's in-memory model of one secret. Values never leave this model except through GetSecretValue. */

export type SecretValue =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'binary'; readonly base64: string };

export interface SecretVersion {
  readonly versionId: string;
  readonly createdAt: number;
  /** Absent on the placeholder RotateSecret registers as AWSPENDING until PutSecretValue fills it. */
  value: SecretValue | undefined;
  /** Staging labels in the order they were attached. Empty means deprecated. */
  stages: string[];
  lastAccessedAt: number | undefined;
}

export interface RotationRules {
  readonly AutomaticallyAfterDays?: number;
  readonly Duration?: string;
  readonly ScheduleExpression?: string;
}

export interface RotationConfig {
  enabled: boolean;
  lambdaArn: string;
  rules: RotationRules | undefined;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

export interface SecretRecord {
  readonly arn: string;
  readonly name: string;
  readonly createdAt: number;
  /** CreateSecret's ClientRequestToken, so a retried CreateSecret without a value is recognised as a repeat. */
  readonly createToken: string | undefined;
  description: string | undefined;
  kmsKeyId: string | undefined;
  tags: Tag[];
  /** Insertion order is creation order. */
  readonly versions: Map<string, SecretVersion>;
  lastChangedAt: number;
  lastAccessedAt: number | undefined;
  /** When the secret will be deleted for good; set while it is scheduled for deletion (DescribeSecret's DeletedDate). */
  deletionDate: number | undefined;
  /** Absent until RotateSecret configured rotation: DescribeSecret then omits RotationEnabled. */
  rotation: RotationConfig | undefined;
  lastRotatedAt: number | undefined;
  nextRotationAt: number | undefined;
}

export const sameValue = (a: SecretValue | undefined, b: SecretValue | undefined): boolean => {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind === 'string' && b.kind === 'string') return a.text === b.text;
  if (a.kind === 'binary' && b.kind === 'binary') return a.base64 === b.base64;
  return false;
};

export const valueByteLength = (value: SecretValue): number =>
  value.kind === 'string' ? Buffer.byteLength(value.text, 'utf8') : Buffer.from(value.base64, 'base64').byteLength;
