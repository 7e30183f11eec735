import { Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { EnvVar, Metric } from '../../lib/constants.ts';
import { createJsonLogger, type LogLevel } from '../../lib/Logger.ts';
import { functionProperties, newRotator, newStack } from './cdkTestSupport.ts';

/** Lambda's application log levels, least to most severe. */
const LAMBDA_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;

/**
 * Lambda's JSON-format filter for a line written to stdout (Lambda developer guide, "Log-level filtering"): the
 * line's top-level `level`, case-insensitive, or INFO when it is missing or invalid, must be at least the
 * function's application log level.
 */
function lambdaKeeps(line: string, applicationLogLevel: string): boolean {
  let level = 'INFO';
  try {
    const parsed = JSON.parse(line) as { level?: unknown };
    const upper = typeof parsed.level === 'string' ? parsed.level.toUpperCase() : '';
    if ((LAMBDA_LEVELS as readonly string[]).includes(upper)) level = upper;
  } catch {
    // not JSON: INFO
  }
  return LAMBDA_LEVELS.indexOf(level as never) >= LAMBDA_LEVELS.indexOf(applicationLogLevel as never);
}

/** Every line the functions' logger writes at `LOG_LEVEL = level`: one of each level, and a metric. */
function linesWrittenAt(level: LogLevel): string[] {
  const lines: string[] = [];
  const logger = createJsonLogger({ clock: { now: () => 0 }, write: (line) => lines.push(line), level });
  logger.debug('d');
  logger.info('i');
  logger.warn('w');
  logger.error('e');
  logger.metric(Metric.driftFound, 1);
  return lines;
}

describe('Logging of both functions: Lambda JSON log format and LOG_LEVEL agree', () => {
  it.each(['debug', 'info', 'warn', 'error'] as const)(
    'with logLevel %s, Lambda keeps every line the function writes (metrics included), at the strictest level that does',
    (level) => {
      // Prepare
      const stack = newStack();
      const rotator = newRotator(stack, { logLevel: level });
      rotator.addMachine('Api', { machineId: 'mch_api' });
      const template = Template.fromStack(stack);

      for (const fn of [rotator.rotationFunction, rotator.verification?.function as lambda.IFunction]) {
        // Act
        const properties = functionProperties(stack, fn, template);
        const { LogFormat, ApplicationLogLevel, SystemLogLevel } = properties.LoggingConfig;
        const lines = linesWrittenAt(level);

        // Assess
        expect(LogFormat).toBe('JSON');
        expect(properties.Environment.Variables[EnvVar.logLevel]).toBe(level);
        expect(lines.filter((line) => !lambdaKeeps(line, ApplicationLogLevel))).toEqual([]);
        const stricter = LAMBDA_LEVELS[LAMBDA_LEVELS.indexOf(ApplicationLogLevel) + 1] as string;
        expect(lines.some((line) => !lambdaKeeps(line, stricter))).toBe(true);
        expect(SystemLogLevel).toBe({ debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'WARN' }[level]);
      }
    },
  );

  it('writes the metric lines at info whatever LOG_LEVEL says, which is why Lambda must not filter above INFO', () => {
    const metricLine = linesWrittenAt('error').find((line) => line.includes('_aws'));

    expect(JSON.parse(metricLine ?? '{}').level).toBe('info');
    expect(lambdaKeeps(metricLine ?? '', 'WARN')).toBe(false);
  });
});
