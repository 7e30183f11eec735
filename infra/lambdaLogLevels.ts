import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { LogLevel } from '../lib/Logger.ts';

/** What the construct sets in the function's LoggingConfig for a `LOG_LEVEL`. */
export interface LambdaLogLevels {
  readonly applicationLogLevel: lambda.ApplicationLogLevel;
  readonly systemLogLevel: lambda.SystemLogLevel;
}

/**
 * Lambda's JSON log format filters every line the function writes to stdout by its top-level `level` field (a line
 * without one counts as INFO) and drops lines below the application log level before they reach CloudWatch Logs.
 * The function's logger already filters by `LOG_LEVEL`, but writes its EMF metric lines at `info` whatever the
 * level: an application log level of WARN or ERROR would drop them, and the metric alarms would never fire. So
 * Lambda filters at most at INFO, and `LOG_LEVEL` alone decides which warnings and errors are written. System logs
 * (START, REPORT, …) follow `LOG_LEVEL`, capped at WARN, their highest level.
 */
export const LAMBDA_LOG_LEVELS: Readonly<Record<LogLevel, LambdaLogLevels>> = {
  debug: { applicationLogLevel: lambda.ApplicationLogLevel.DEBUG, systemLogLevel: lambda.SystemLogLevel.DEBUG },
  info: { applicationLogLevel: lambda.ApplicationLogLevel.INFO, systemLogLevel: lambda.SystemLogLevel.INFO },
  warn: { applicationLogLevel: lambda.ApplicationLogLevel.INFO, systemLogLevel: lambda.SystemLogLevel.WARN },
  error: { applicationLogLevel: lambda.ApplicationLogLevel.INFO, systemLogLevel: lambda.SystemLogLevel.WARN },
};
