import { readFileSync } from 'node:fs';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { describe, expect, it } from 'vitest';
import { METRIC_ALARMS, METRIC_NAMESPACE, QUIET_METRICS } from '../../infra/alarms.ts';
import { Metric, RUNBOOK_URL } from '../../lib/constants.ts';
import { createJsonLogger, metricDimensionsOf } from '../../lib/Logger.ts';
import { resourceProperties, sharedDefaultRotator } from './cdkTestSupport.ts';

/** GitHub's anchor of a heading: lowercase, punctuation other than - and _ dropped, spaces as hyphens. */
function githubAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

const runbookAnchors = new Set(
  [...readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map(
    (match) => githubAnchor(match[1] ?? ''),
  ),
);

const defaults = sharedDefaultRotator();

type Rotator = ReturnType<typeof defaults>['rotator'];

function verification(rotator: Rotator): NonNullable<Rotator['verification']> {
  if (rotator.verification === undefined) throw new Error('the default rotator has a verification');
  return rotator.verification;
}

/** What every alarm of the construct shares: Sum ≥ 1 in one 5-minute period, no data is fine, → the topic. */
function anyDatapointIn5Minutes(topicArn: unknown): Record<string, unknown> {
  return {
    Statistic: 'Sum',
    Period: 300,
    Threshold: 1,
    EvaluationPeriods: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [topicArn],
  };
}

describe('Alarms of ClerkMachineKeyRotator', () => {
  it('sorts every Metric into exactly one of: alarmed (trouble) or quiet (normal operation)', () => {
    const alarmed = Object.keys(METRIC_ALARMS);

    expect([...alarmed, ...QUIET_METRICS].sort()).toEqual(Object.values(Metric).sort());
    expect(alarmed.filter((name) => QUIET_METRICS.includes(name as Metric))).toEqual([]);
  });

  it('alarms on each trouble metric: the EMF metric in its namespace, of the emitting function, any datapoint in 5 minutes', () => {
    const { stack, rotator, template } = defaults();

    expect(Object.keys(rotator.metricAlarms).sort()).toEqual(Object.keys(METRIC_ALARMS).sort());
    for (const [name, alarm] of Object.entries(rotator.metricAlarms)) {
      expect(resourceProperties(stack, alarm, template)).toEqual({
        AlarmDescription: expect.stringContaining(`${RUNBOOK_URL}#${name.toLowerCase()}`),
        ...anyDatapointIn5Minutes(stack.resolve(rotator.alarmTopic.topicArn)),
        Namespace: 'ClerkMachineKeyRotator',
        MetricName: name,
        Dimensions: [
          {
            Name: 'FunctionName',
            Value: stack.resolve(
              (METRIC_ALARMS[name as keyof typeof METRIC_ALARMS].emittedBy === 'rotation'
                ? rotator.rotationFunction
                : rotator.verification?.function
              )?.functionName,
            ),
          },
        ],
      });
    }
  });

  it('watches the namespace and dimensions the functions write their metrics with (lib/Logger.ts)', () => {
    const lines: string[] = [];
    const logger = createJsonLogger({
      clock: { now: () => 0 },
      write: (line) => lines.push(line),
      level: 'error',
      metricDimensions: metricDimensionsOf({ AWS_LAMBDA_FUNCTION_NAME: 'rotator-verify' }),
    });

    logger.metric(Metric.driftFound, 1);

    const emf = JSON.parse(lines[0] ?? '{}');
    expect(emf._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: METRIC_NAMESPACE,
        Dimensions: [['FunctionName']],
        Metrics: [{ Name: Metric.driftFound, Unit: 'Count' }],
      },
    ]);
    expect(emf.FunctionName).toBe('rotator-verify');
    expect(emf[Metric.driftFound]).toBe(1);
  });

  it.each([
    [
      'the rotation function fails',
      (r: Rotator) => r.errorsAlarm,
      'AWS/Lambda',
      'Errors',
      'FunctionName',
      (r: Rotator) => r.rotationFunction.functionName,
    ],
    [
      'the verification function fails',
      (r: Rotator) => verification(r).errorsAlarm,
      'AWS/Lambda',
      'Errors',
      'FunctionName',
      (r: Rotator) => verification(r).function.functionName,
    ],
    [
      'EventBridge cannot start the verification',
      (r: Rotator) => verification(r).scheduleFailedAlarm,
      'AWS/Events',
      'FailedInvocations',
      'RuleName',
      (r: Rotator) => verification(r).schedule.ruleName,
    ],
  ] as const)(
    'alarms when %s (any datapoint in 5 minutes)',
    (_when, alarmOf, namespace, metricName, dimension, dimensionValueOf) => {
      const { stack, rotator, template } = defaults();

      expect(resourceProperties(stack, alarmOf(rotator) as cloudwatch.Alarm, template)).toEqual({
        AlarmDescription: expect.stringContaining(RUNBOOK_URL),
        ...anyDatapointIn5Minutes(stack.resolve(rotator.alarmTopic.topicArn)),
        Namespace: namespace,
        MetricName: metricName,
        Dimensions: [{ Name: dimension, Value: stack.resolve(dimensionValueOf(rotator)) }],
      });
    },
  );

  it('names in every alarm description a runbook entry that exists in docs/runbook.md', () => {
    const { template } = defaults();

    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(Object.keys(METRIC_ALARMS).length + 3); // + both Errors alarms + the schedule's
    for (const alarm of alarms) {
      const description = alarm.Properties.AlarmDescription as string;
      const link = description.match(/Runbook: (\S+)#([a-z0-9_-]+)$/);
      expect(link?.[1], description).toBe(RUNBOOK_URL);
      expect(runbookAnchors.has(link?.[2] ?? ''), `docs/runbook.md has no heading for #${link?.[2]}`).toBe(true);
    }
  });
});
