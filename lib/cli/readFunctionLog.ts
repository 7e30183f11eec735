import { open } from 'node:fs/promises';
import { CliDefaults, CliEnvVar } from './CliDefaults.ts';

/** One error line the rotation function logged for a rotation (its fixed log keys, lib/Logger.ts). */
export interface StepError {
  readonly time: string | undefined;
  readonly step: string | undefined;
  readonly errorCode: string | undefined;
  readonly message: string;
  readonly clerkTraceId: string | undefined;
}

/**
 * What can be said about a rotation's step errors: read from a file of the function's log lines, or — without one —
 * where they are in CloudWatch Logs (the CLI does not read CloudWatch: it names the group and the filter).
 */
export type FunctionLogReport =
  | {
      readonly source: 'file';
      readonly path: string;
      /** Oldest first; at most CliDefaults.stepErrorsShown, the latest. */
      readonly errors: readonly StepError[];
      /** How many error lines the file holds for the rotation in all. */
      readonly recorded: number;
      /** Why the file could not be read, when it could not. */
      readonly problem: string | undefined;
    }
  | {
      readonly source: 'cloudwatch';
      /** `/aws/lambda/<function name>`; undefined when the rotation function's ARN is unknown. */
      readonly logGroup: string | undefined;
      readonly filterPattern: string;
    };

export interface FunctionLogQuery {
  /** The file named by CLERK_ROTATOR_FUNCTION_LOG, if any. */
  readonly path: string | undefined;
  /** The secret's RotationLambdaARN. */
  readonly functionArn: string | undefined;
  readonly secretArn: string;
  /** The rotation's version (its ClientRequestToken). */
  readonly versionId: string;
}

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[^:]+:\d+:function:([^:]+)/;

async function readTail(path: string, bytes: number): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    // A tail that starts mid-line drops that partial line.
    return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
  } finally {
    await file.close();
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The error lines of one rotation, from JSON log lines; anything that is not such a line is passed over. */
export function stepErrorsIn(log: string, query: Pick<FunctionLogQuery, 'secretArn' | 'versionId'>): StepError[] {
  const errors: StepError[] = [];
  for (const raw of log.split('\n')) {
    if (!raw.includes(query.versionId)) continue;
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (line === null || typeof line !== 'object' || line.versionId !== query.versionId) continue;
    if (line.secretArn !== null && line.secretArn !== undefined && line.secretArn !== query.secretArn) continue;
    if (line.level !== 'error') continue;
    errors.push({
      time: text(line.time),
      step: text(line.step),
      errorCode: text(line.errorCode),
      message: text(line.message) ?? '(no message)',
      clerkTraceId: text(line.clerkTraceId),
    });
  }
  return errors;
}

/** The step errors the rotation function recorded for one rotation, or where to find them. */
export async function readFunctionLog(query: FunctionLogQuery): Promise<FunctionLogReport> {
  if (query.path === undefined) {
    const name = query.functionArn === undefined ? undefined : FUNCTION_ARN.exec(query.functionArn)?.[1];
    return {
      source: 'cloudwatch',
      logGroup: name === undefined ? undefined : `/aws/lambda/${name}`,
      filterPattern: `{ $.versionId = "${query.versionId}" && $.level = "error" }`,
    };
  }
  try {
    const all = stepErrorsIn(await readTail(query.path, CliDefaults.functionLogTailBytes), query);
    return {
      source: 'file',
      path: query.path,
      errors: all.slice(-CliDefaults.stepErrorsShown),
      recorded: all.length,
      problem: undefined,
    };
  } catch (error) {
    const problem = `${CliEnvVar.functionLog} names ${query.path}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    return { source: 'file', path: query.path, errors: [], recorded: 0, problem };
  }
}
