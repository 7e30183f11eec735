import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * The id to hand to Secrets Manager APIs: the complete ARN when CDK knows it, otherwise the partial ARN (a secret
 * imported by name), which Secrets Manager resolves as long as it matches one secret.
 */
export function secretIdOf(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? secret.secretArn;
}

/**
 * The ARN to use in IAM policies and ArnLike conditions. A secret's ARN ends in a hyphen and six random characters;
 * when CDK only knows the partial ARN (imported by name), match exactly those six characters (`-??????`) rather than
 * a `*` that would also cover other secrets whose names start the same way.
 */
export function secretArnPattern(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}
