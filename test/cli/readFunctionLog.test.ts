/**
 * Unit: finding a rotation's step errors in the rotation function's JSON log lines, and naming where they are when
 * there is no file — no process, no emulator.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliDefaults } from '../../lib/cli/CliDefaults.ts';
import { readFunctionLog, stepErrorsIn } from '../../lib/cli/readFunctionLog.ts';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/clerk/machines/billing-AbCdEf';
const VERSION = '0f2e1c9a-1111-4222-8333-944455556666';
const FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:clerk-machine-key-rotator';

function logLine(fields: Record<string, unknown>): string {
  return JSON.stringify({
    time: '2026-11-30T12:00:00.000Z',
    level: 'error',
    message: 'failed',
    step: 'createSecret',
    secretArn: SECRET,
    versionId: VERSION,
    clerkTraceId: null,
    errorCode: 'ROTATION_TOO_SOON',
    ...fields,
  });
}

describe('Function: stepErrorsIn', () => {
  it('keeps the error lines of this rotation only, oldest first, and passes over anything else', () => {
    const log = [
      logLine({ message: 'first', time: '2026-11-30T12:00:00.000Z' }),
      logLine({ level: 'info', message: 'createSecret started' }),
      logLine({ versionId: 'another-version', message: 'other rotation' }),
      logLine({ secretArn: `${SECRET}-other`, message: 'other secret' }),
      `not json ${VERSION}`,
      logLine({ message: 'second', step: 'finishSecret', errorCode: null, clerkTraceId: 'trace_1' }),
    ].join('\n');

    expect(stepErrorsIn(log, { secretArn: SECRET, versionId: VERSION })).toEqual([
      {
        time: '2026-11-30T12:00:00.000Z',
        step: 'createSecret',
        errorCode: 'ROTATION_TOO_SOON',
        message: 'first',
        clerkTraceId: undefined,
      },
      {
        time: expect.any(String),
        step: 'finishSecret',
        errorCode: undefined,
        message: 'second',
        clerkTraceId: 'trace_1',
      },
    ]);
  });
});

describe('Function: readFunctionLog', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clerk-rotator-function-log-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('without a file, names the function’s CloudWatch log group and the filter for the rotation', async () => {
    const known = await readFunctionLog({
      path: undefined,
      functionArn: FUNCTION,
      secretArn: SECRET,
      versionId: VERSION,
    });
    const none = await readFunctionLog({
      path: undefined,
      functionArn: undefined,
      secretArn: SECRET,
      versionId: VERSION,
    });

    expect(known).toEqual({
      source: 'cloudwatch',
      logGroup: '/aws/lambda/clerk-machine-key-rotator',
      filterPattern: `{ $.versionId = "${VERSION}" && $.level = "error" }`,
    });
    expect(none).toMatchObject({ source: 'cloudwatch', logGroup: undefined });
  });

  it('reads the latest errors from the end of a large file, and says when the file cannot be read', async () => {
    // Prepare: more than the tail that is read, the first error line beyond it.
    const path = join(dir, 'function.log');
    const filler = logLine({ level: 'info', versionId: 'x'.repeat(36), message: 'y'.repeat(200) });
    const fillerLines = Math.ceil(CliDefaults.functionLogTailBytes / filler.length) + 10;
    const errors = Array.from({ length: 8 }, (_, index) => logLine({ message: `attempt ${index + 1}` }));
    await writeFile(path, [errors[0], ...Array(fillerLines).fill(filler), ...errors.slice(1)].join('\n'));

    // Act
    const read = await readFunctionLog({ path, functionArn: FUNCTION, secretArn: SECRET, versionId: VERSION });
    const missing = await readFunctionLog({
      path: join(dir, 'absent.log'),
      functionArn: FUNCTION,
      secretArn: SECRET,
      versionId: VERSION,
    });

    // Assess
    expect(read).toMatchObject({ source: 'file', path, recorded: 7, problem: undefined });
    expect(read.source === 'file' && read.errors.map((error) => error.message)).toEqual(
      ['attempt 4', 'attempt 5', 'attempt 6', 'attempt 7', 'attempt 8'].slice(-CliDefaults.stepErrorsShown),
    );
    expect(missing).toMatchObject({ source: 'file', errors: [], recorded: 0 });
    expect(missing.source === 'file' && missing.problem).toContain('cannot be read (ENOENT)');
  });
});
