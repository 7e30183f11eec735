import type { RotationRules, SecretDescription } from '../core/SecretStore.ts';
import { isoOrNull } from './formatTime.ts';

/** What DescribeSecret says about a secret's rotation. */
export type RotationFields = Pick<
  SecretDescription,
  'rotationEnabled' | 'rotationLambdaArn' | 'rotationRules' | 'lastRotatedDate' | 'nextRotationDate'
>;

export function describeRules(rules: RotationRules | undefined): string {
  if (rules === undefined) return 'no schedule';
  const schedule =
    rules.automaticallyAfterDays !== undefined
      ? `every ${rules.automaticallyAfterDays} day${rules.automaticallyAfterDays === 1 ? '' : 's'}`
      : (rules.scheduleExpression ?? 'no schedule');
  return rules.duration === undefined ? schedule : `${schedule}, window ${rules.duration}`;
}

/** The secret's rotation in words, as DescribeSecret reports it: "enabled, every 30 days", "disabled", … */
export function describeRotation(secret: RotationFields): string {
  if (secret.rotationEnabled) return `enabled, ${describeRules(secret.rotationRules)}`;
  return secret.rotationLambdaArn === undefined ? 'not configured' : 'disabled';
}

/** The secret's rotation for --json, as DescribeSecret reports it. */
export function rotationDocument(secret: RotationFields) {
  return {
    enabled: secret.rotationEnabled,
    functionArn: secret.rotationLambdaArn ?? null,
    rules: secret.rotationRules ?? null,
    lastRotatedAt: isoOrNull(secret.lastRotatedDate),
    nextRotationAt: isoOrNull(secret.nextRotationDate),
  };
}
