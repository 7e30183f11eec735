import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { PACKAGE_NAME } from '../lib/constants.ts';

/**
 * Secrets Manager has no rotation-failure metric. Its CloudTrail service events reach the default event bus (best
 * effort: hence also the Errors alarm); AWS documents the trail requirement only for "AWS API Call" events. The rule
 * matches no secret until {@link matchSecret} adds one, and turns each event into one readable line on the topic.
 */
export function createRotationFailureRule(scope: Construct, id: string, topic: sns.ITopic): events.Rule {
  const rule = new events.Rule(scope, id, {
    description: 'Failed or abandoned rotations of Clerk machine secrets',
    eventPattern: {
      source: ['aws.secretsmanager'],
      detailType: ['AWS Service Event via CloudTrail'],
      detail: { eventName: ['RotationFailed', 'RotationAbandoned', 'TestRotationFailed'] },
    },
  });
  rule.addTarget(
    new eventsTargets.SnsTopic(topic, {
      message: events.RuleTargetInput.fromText(
        `Secrets Manager reported ${events.EventField.fromPath('$.detail.eventName')} for ${events.EventField.fromPath('$.detail.additionalEventData.SecretId')} at ${events.EventField.time} (account ${events.EventField.account}, ${events.EventField.region}). The rotation function's log group has the cause; see docs/deploy.md of ${PACKAGE_NAME}.`,
      ),
    }),
  );
  return rule;
}

/** Adds a secret to the rule: its complete ARN, or a prefix match on `<partial ARN>-` for one imported by name. */
export function matchSecret(rule: events.Rule, secret: secretsmanager.ISecret): void {
  rule.addEventPattern({
    detail: {
      additionalEventData: {
        SecretId:
          secret.secretFullArn !== undefined ? [secret.secretFullArn] : events.Match.prefix(`${secret.secretArn}-`),
      },
    },
  });
}
