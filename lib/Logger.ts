import type { Clock } from './Clock.ts';
import { METRIC_DIMENSION, METRIC_NAMESPACE } from './constants.ts';
import type { LogFields, Logger } from './core/Logger.ts';

export type { LogFields, Logger };

export const LOG_KEYS = [
  'time',
  'level',
  'message',
  'step',
  'secretArn',
  'versionId',
  'machineId',
  'outcome',
  'durationMs',
  'adopted',
  'clerkTraceId',
  'errorCode',
  'requestId',
  'coldStart',
] as const;

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface JsonLoggerOptions {
  write?: (line: string) => void;
  clock: Clock;
  level?: LogLevel;
  /** CloudWatch namespace for metrics. @default METRIC_NAMESPACE */
  namespace?: string;
  /** Dimensions of every metric (name → value), written on the metric line as EMF expects. @default none */
  metricDimensions?: Readonly<Record<string, string>>;
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function parseLogLevel(value: string | undefined): LogLevel {
  const lower = value?.toLowerCase();
  return lower === 'debug' || lower === 'warn' || lower === 'error' ? lower : 'info';
}

/** One JSON object per line with fixed keys (LOG_KEYS); nothing else is ever written. */
export function createJsonLogger(options: JsonLoggerOptions, bound: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const minimum = LEVEL_ORDER[options.level ?? 'info'];
  const namespace = options.namespace ?? METRIC_NAMESPACE;
  const dimensions = options.metricDimensions ?? {};

  const line = (level: LogLevel, message: string, fields: LogFields | undefined): Record<string, unknown> => {
    const merged: LogFields = { ...bound, ...fields };
    return {
      time: new Date(options.clock.now()).toISOString(),
      level,
      message,
      step: merged.step ?? null,
      secretArn: merged.secretArn ?? null,
      versionId: merged.versionId ?? null,
      machineId: merged.machineId ?? null,
      outcome: merged.outcome ?? null,
      durationMs: merged.durationMs ?? null,
      adopted: merged.adopted ?? null,
      clerkTraceId: merged.clerkTraceId ?? null,
      errorCode: merged.errorCode ?? null,
      requestId: merged.requestId ?? null,
      coldStart: merged.coldStart ?? null,
    };
  };

  const log = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (LEVEL_ORDER[level] < minimum) return;
    write(JSON.stringify(line(level, message, fields)));
  };

  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    metric(name, value, fields) {
      const entry = line('info', `metric ${name}`, fields);
      write(
        JSON.stringify({
          ...entry,
          ...dimensions,
          _aws: {
            Timestamp: options.clock.now(),
            CloudWatchMetrics: [
              { Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: 'Count' }] },
            ],
          },
          [name]: value,
        }),
      );
    },
    child(fields) {
      return createJsonLogger(options, { ...bound, ...fields });
    },
  };
}

/** The function's own name as the metric dimension, when Lambda says it (AWS_LAMBDA_FUNCTION_NAME). */
export function metricDimensionsOf(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const name = env.AWS_LAMBDA_FUNCTION_NAME;
  return name ? { [METRIC_DIMENSION]: name } : {};
}

/**
 * The logger of a Lambda function: JSON lines at LOG_LEVEL, metrics dimensioned by the function's name, and for each
 * invocation a child that writes its request id and whether it was the execution environment's first (cold start).
 */
export function createFunctionLogger(options: {
  readonly clock: Clock;
  readonly write?: ((line: string) => void) | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
}): { readonly logger: Logger; forInvocation(invocation: { readonly awsRequestId?: string | undefined }): Logger } {
  const logger = createJsonLogger({
    clock: options.clock,
    write: options.write,
    level: parseLogLevel(options.env.LOG_LEVEL),
    metricDimensions: metricDimensionsOf(options.env),
  });
  let coldStart = true;
  return {
    logger,
    forInvocation(invocation) {
      const child = logger.child({ requestId: invocation.awsRequestId, coldStart });
      coldStart = false;
      return child;
    },
  };
}
