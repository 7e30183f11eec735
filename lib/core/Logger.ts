/** The fixed keys of every log line; absent values are written as null so every line has the same shape. */
export interface LogFields {
  step?: string | undefined;
  secretArn?: string | undefined;
  versionId?: string | undefined;
  machineId?: string | undefined;
  outcome?: string | undefined;
  durationMs?: number | undefined;
  adopted?: boolean | undefined;
  clerkTraceId?: string | undefined;
  errorCode?: string | undefined;
  /** The Lambda request id of the invocation that wrote the line. */
  requestId?: string | undefined;
  /** True on the first invocation of a Lambda execution environment. */
  coldStart?: boolean | undefined;
}

/** The logger port: narrow on purpose. `metric` emits a CloudWatch embedded-metric-format count. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  metric(name: string, value: number, fields?: LogFields): void;
  /** A logger whose lines carry these fields unless a call overrides them. */
  child(fields: LogFields): Logger;
}
