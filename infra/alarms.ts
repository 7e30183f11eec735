import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { METRIC_DIMENSION, METRIC_NAMESPACE, Metric, PACKAGE_NAME, RUNBOOK_URL } from '../lib/constants.ts';

export { METRIC_NAMESPACE };

/** Which function emits a metric, and what its alarm says it means. */
export interface MetricAlarmSpec {
  readonly emittedBy: 'rotation' | 'verification';
  readonly meaning: string;
}

/** Every metric that signals trouble: each gets an alarm → the alarm topic. */
export const METRIC_ALARMS = {
  [Metric.overlapExpired]: {
    emittedBy: 'rotation',
    meaning: 'A machine key in AWSCURRENT stopped working at Clerk before its rotation finished',
  },
  [Metric.notificationFailed]: {
    emittedBy: 'rotation',
    meaning: 'A "key rotated" notification could not be delivered to a consumer function',
  },
  [Metric.promotionRefused]: {
    emittedBy: 'rotation',
    meaning: "finishSecret refused to promote a pending key that is no longer Clerk's current key",
  },
  [Metric.oldKeyStillAccepted]: {
    emittedBy: 'rotation',
    meaning: 'An emergency rotation finished but Clerk still accepts the replaced key',
  },
  [Metric.driftFound]: {
    emittedBy: 'verification',
    meaning: "The verification found a secret whose AWSCURRENT key is not Clerk's current key",
  },
  [Metric.healFailed]: {
    emittedBy: 'verification',
    meaning: 'The verification could not start the rotation that heals a drifted secret',
  },
  [Metric.currentKeyRejected]: {
    emittedBy: 'verification',
    meaning: 'Clerk rejects the key in AWSCURRENT: apps reading the secret fail to authenticate',
  },
  [Metric.pendingStuck]: {
    emittedBy: 'verification',
    meaning: 'A secret has had an AWSPENDING version for longer than pendingStuckAfter',
  },
  [Metric.verificationFailed]: {
    emittedBy: 'verification',
    meaning: 'The verification could not check a secret',
  },
} as const satisfies Partial<Record<Metric, MetricAlarmSpec>>;

export type AlarmedMetric = keyof typeof METRIC_ALARMS;

/** Metrics that report normal operation: no alarm. */
export const QUIET_METRICS: readonly Metric[] = [Metric.inSync, Metric.driftHealed];

/** The runbook entry for an alarm: `### <entry>` in docs/runbook.md, whose anchor is the lowercase name. */
export function runbookUrl(entry: string): string {
  return `${RUNBOOK_URL}#${entry.toLowerCase()}`;
}

export interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  /** What firing means, one sentence. */
  readonly meaning: string;
  /** The runbook entry (heading) that says what to do. */
  readonly runbookEntry: string;
}

/** One datapoint ≥ 1 in a 5-minute period alarms; no data is fine. Publishes to the topic. */
export function addAlarm(scope: Construct, id: string, spec: AlarmSpec, topic: sns.ITopic): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmDescription: `${spec.meaning} (${PACKAGE_NAME}). Runbook: ${runbookUrl(spec.runbookEntry)}`,
    metric: spec.metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(topic));
  return alarm;
}

/** The function's Errors (Lambda's metric, 5-minute Sum) ≥ 1 → the topic. */
export function addErrorsAlarm(
  scope: Construct,
  fn: lambda.IFunction,
  spec: Omit<AlarmSpec, 'metric'>,
  topic: sns.ITopic,
): cloudwatch.Alarm {
  return addAlarm(scope, 'ErrorsAlarm', { ...spec, metric: fn.metricErrors({ period: Duration.minutes(5) }) }, topic);
}

/** A 5-minute Sum of an EMF metric of one function: namespace METRIC_NAMESPACE, dimension its name. */
export function emfMetric(name: Metric, fn: lambda.IFunction): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRIC_NAMESPACE,
    metricName: name,
    dimensionsMap: { [METRIC_DIMENSION]: fn.functionName },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
  });
}

/** The alarms on the metrics `emittedBy` emits, keyed by metric name, each with id `<Metric>Alarm`. */
export function addMetricAlarms(
  scope: Construct,
  emittedBy: MetricAlarmSpec['emittedBy'],
  fn: lambda.IFunction,
  topic: sns.ITopic,
): Partial<Record<AlarmedMetric, cloudwatch.Alarm>> {
  const alarms: Partial<Record<AlarmedMetric, cloudwatch.Alarm>> = {};
  for (const [name, spec] of Object.entries(METRIC_ALARMS) as [AlarmedMetric, MetricAlarmSpec][]) {
    if (spec.emittedBy !== emittedBy) continue;
    alarms[name] = addAlarm(
      scope,
      `${name}Alarm`,
      { metric: emfMetric(name, fn), meaning: spec.meaning, runbookEntry: name },
      topic,
    );
  }
  return alarms;
}
