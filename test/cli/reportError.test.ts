/**
 * Unit: how the CLI turns a failure into an exit code and a hint — Secrets Manager failures through the one AWS error
 * classifier (lib/aws/classifyAwsError.ts) — and how it asks Clerk about the key an emergency replaced. No process,
 * no emulator.
 */
import { describe, expect, it } from 'vitest';
import { toStoreError } from '../../lib/aws/storeCall.ts';
import { checkOldKeyRevoked } from '../../lib/cli/commands/checkOldKeyRevoked.ts';
import { ExitCode } from '../../lib/cli/ExitCode.ts';
import { OperationError } from '../../lib/cli/errors.ts';
import { classifyError } from '../../lib/cli/reportError.ts';
import type { ClerkMachineApi } from '../../lib/core/ClerkMachineApi.ts';
import { ClerkApiError, ErrorCode } from '../../lib/errors.ts';
import { Redacted } from '../../lib/Redacted.ts';

const CONTEXT = { command: 'status', endpoint: 'http://127.0.0.1:4566' };

function sdkError(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} (injected)`), { name, ...extra });
}

describe('Function: classifyError', () => {
  it.each([
    ['AccessDeniedException', ExitCode.unavailable, /IAM permissions on this secret/],
    ['UnrecognizedClientException', ExitCode.unavailable, /IAM permissions on this secret/],
    [
      'CredentialsProviderError',
      ExitCode.unavailable,
      /check your AWS credentials .*could not be loaded, or they have expired/,
    ],
    ['ExpiredTokenException', ExitCode.unavailable, /check your AWS credentials/],
    ['ThrottlingException', ExitCode.unavailable, /throttling or failing for now/],
    ['InternalServiceError', ExitCode.unavailable, /throttling or failing for now/],
    ['ResourceNotFoundException', ExitCode.failed, /check the secret name or ARN, and --region/],
  ])('maps a Secrets Manager %s to exit %i with its hint', (name, exitCode, hint) => {
    // Act
    const result = classifyError(toStoreError('DescribeSecret', sdkError(name)), CONTEXT);

    // Assess
    expect(result.exitCode).toBe(exitCode);
    expect(result.code).toBe(ErrorCode.secretStoreFailed);
    expect(result.hint).toMatch(hint);
  });

  it('names the endpoint when Secrets Manager cannot be reached (a network code anywhere in the cause chain)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' });
    const result = classifyError(toStoreError('DescribeSecret', sdkError('Error', { cause: refused })), CONTEXT);

    expect(result.exitCode).toBe(ExitCode.unavailable);
    expect(result.message).toMatch(/^cannot reach Secrets Manager at http:\/\/127\.0\.0\.1:4566: /);
    expect(result.hint).toBe('check --endpoint-url, --region and the network');
  });

  it('keeps a refused request a failed operation with its runbook entry', () => {
    const result = classifyError(toStoreError('RotateSecret', sdkError('InvalidRequestException')), CONTEXT);

    expect(result.exitCode).toBe(ExitCode.failed);
    expect(result.runbook).toMatch(/#secret_store_failed$/);
  });

  it('treats a question Clerk could not answer as Clerk unreachable (exit 3), any other reason as a failure', () => {
    const unreachable = classifyError(new OperationError(ErrorCode.clerkNetwork, 'no answer'), CONTEXT);
    const refused = classifyError(new OperationError(ErrorCode.machineMismatch, 'not this machine'), CONTEXT);

    expect(unreachable.exitCode).toBe(ExitCode.unavailable);
    expect(refused.exitCode).toBe(ExitCode.failed);
    expect(refused.runbook).toMatch(/#machine_mismatch$/);
  });
});

describe('Function: checkOldKeyRevoked', () => {
  const suspected = { machineId: 'mch_abc', secretKey: new Redacted('ak_FAKEfake0123456789fake') };

  /** A Clerk whose token listing answers in turn: accepted (200), rejected (401), or a 503. */
  function clerkAnswering(answers: ReadonlyArray<'accepted' | 'rejected' | 'unavailable'>) {
    let asked = 0;
    const clerk: Pick<ClerkMachineApi, 'verifyMachineKey'> = {
      async verifyMachineKey() {
        const answer = answers[Math.min(asked++, answers.length - 1)];
        if (answer === 'accepted') return;
        const code = answer === 'rejected' ? ErrorCode.clerkUnauthorized : ErrorCode.clerkServerError;
        throw new ClerkApiError(code, 'injected', { operation: 'ListM2MTokens', ambiguous: false });
      },
    };
    return { clerk: clerk as ClerkMachineApi, asked: () => asked };
  }

  function run(answers: ReadonlyArray<'accepted' | 'rejected' | 'unavailable'>) {
    let now = Date.parse('2026-11-30T12:00:00Z');
    const pauses: number[] = [];
    const fake = clerkAnswering(answers);
    const ctx = {
      clerk: () => fake.clerk,
      clock: { now: () => now },
      sleep: async (ms: number) => {
        pauses.push(ms);
        now += ms;
      },
      signal: undefined,
    };
    return { result: checkOldKeyRevoked(ctx, suspected), pauses, asked: fake.asked, start: now };
  }

  it('stops at the first rejection: the key is dead, checked at that moment', async () => {
    const { result, pauses, asked, start } = run(['accepted', 'rejected']);

    expect(await result).toEqual({ state: 'rejected', checkedAt: start + 2_000, checks: 2, errorCode: undefined });
    expect(pauses).toEqual([2_000]);
    expect(asked()).toBe(2);
  });

  it('asks 3 times over 5 s while Clerk accepts the key, then says so', async () => {
    const { result, pauses, start } = run(['accepted']);

    expect(await result).toEqual({
      state: 'still-accepted',
      checkedAt: start + 5_000,
      checks: 3,
      errorCode: undefined,
    });
    expect(pauses).toEqual([2_000, 3_000]);
  });

  it('never calls the key dead when Clerk cannot be asked', async () => {
    const { result } = run(['unavailable']);

    expect(await result).toMatchObject({ state: 'unknown', checks: 3, errorCode: ErrorCode.clerkServerError });
  });
});
