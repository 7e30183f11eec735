/** The secret-store port: the Secrets Manager calls a rotation needs, in our own words. */

/** DescribeSecret's RotationRules: a number of days or a schedule expression, and an optional window. */
export interface RotationRules {
  readonly automaticallyAfterDays?: number;
  readonly scheduleExpression?: string;
  readonly duration?: string;
}

export interface SecretDescription {
  readonly arn: string;
  readonly name: string;
  /** DescribeSecret omits RotationEnabled on a secret never configured for rotation: absent means false. */
  readonly rotationEnabled: boolean;
  readonly rotationLambdaArn: string | undefined;
  readonly versionIdsToStages: Readonly<Record<string, readonly string[]>>;
  readonly tags: Readonly<Record<string, string>>;
  /** DescribeSecret's LastRotatedDate (epoch ms): when the last rotation finished. */
  readonly lastRotatedDate?: number | undefined;
  /** The schedule, for operators (the rotation core does not read it). */
  readonly rotationRules?: RotationRules | undefined;
  /** DescribeSecret's NextRotationDate (epoch ms). */
  readonly nextRotationDate?: number | undefined;
  /** DescribeSecret's LastChangedDate (epoch ms): the last change of the secret, labels included. */
  readonly lastChangedDate?: number | undefined;
}

export interface SecretVersion {
  readonly versionId: string;
  readonly secretString: string | undefined;
  readonly stages: readonly string[];
}

export interface VersionSelector {
  readonly versionId?: string;
  readonly stage?: string;
}

export interface PutPendingInput {
  readonly secretId: string;
  readonly versionId: string;
  readonly secretString: string;
  readonly rotationToken?: string | undefined;
}

export interface UpdateStageInput {
  readonly secretId: string;
  readonly stage: string;
  readonly moveToVersionId?: string;
  readonly removeFromVersionId?: string;
}

/** One page of ListSecrets, each entry in DescribeSecret's shape (ListSecrets returns tags and labels too). */
export interface SecretPage {
  readonly secrets: readonly SecretDescription[];
  readonly nextToken: string | undefined;
}

export interface SecretStore {
  describeSecret(secretId: string): Promise<SecretDescription>;
  /** Undefined when the version or label does not exist, or the version has no value yet. */
  getSecretVersion(secretId: string, selector: VersionSelector): Promise<SecretVersion | undefined>;
  /** PutSecretValue with VersionStages ["AWSPENDING"]: never promotes. */
  putPendingValue(input: PutPendingInput): Promise<void>;
  updateStage(input: UpdateStageInput): Promise<void>;
  /** TagResource: adds or overwrites these tags. */
  tagSecret(secretId: string, tags: Readonly<Record<string, string>>): Promise<void>;
  /** UntagResource: removes these tag keys (absent ones are ignored). */
  untagSecret(secretId: string, keys: readonly string[]): Promise<void>;
  /** RotateSecret with the configuration already stored: starts a new rotation; returns its version id. */
  startRotation(secretId: string): Promise<string | undefined>;
  /** ListSecrets of the secrets carrying this tag key, a page at a time. */
  listSecretsWithTag(tagKey: string, nextToken: string | undefined): Promise<SecretPage>;
  /** ListSecretVersionIds: when each version was created (epoch ms), labelled or not. */
  versionCreationDates(secretId: string): Promise<Readonly<Record<string, number>>>;
}

export function versionWithStage(description: SecretDescription, stage: string): string | undefined {
  return Object.entries(description.versionIdsToStages).find(([, stages]) => stages.includes(stage))?.[0];
}
