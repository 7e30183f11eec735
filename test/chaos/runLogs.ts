/** The fields of the function's (and the verification's) JSON log lines that the checks read. */
export interface LogLine {
  readonly time?: string;
  readonly level?: string;
  readonly message?: string;
  readonly step?: string | null;
  readonly outcome?: string | null;
  readonly versionId?: string | null;
  readonly errorCode?: string | null;
  readonly adopted?: boolean | null;
  readonly OverlapExpired?: number;
}

export const parseLogLines = (lines: readonly string[]): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);

export const codeOf = (error: unknown): string | undefined => (error as { code?: string } | undefined)?.code;

/** Every message of an error and its causes: what I5 scans besides the log lines. */
export function messagesOf(error: unknown): string[] {
  const out: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    out.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return out;
}

/** A run's log lines, short: time, step, version, level, outcome or error code, message. */
export function logDigest(lines: readonly LogLine[]): string {
  return lines
    .map((line) => {
      const what = line.errorCode ?? line.outcome ?? '';
      return `  ${line.time ?? ''} ${line.step ?? '-'} ${line.versionId?.slice(0, 8) ?? '-'} ${line.level} ${what}: ${line.message}`;
    })
    .join('\n');
}
