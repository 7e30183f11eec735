/**
 * What comes from outside is printed as data, never as terminal control: a Clerk endpoint that answers with escape
 * sequences, carriage returns and OSC strings in its error body's `code` and `clerk_trace_id` (to forge an "ok" line)
 * cannot steer the terminal or flood it — neither through the CLI's own Clerk call nor through the step error the
 * rotation function recorded. Real processes against the local stack.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH } from '../../lib/cli/safeText.ts';
import { type CliRun, useCliStack } from './cliTestSupport.ts';

/** Erase the line, return to its start, and print what a passing check looks like; then a bell and a long tail. */
const FORGED_CODE = `\u001b[2K\r  ok    AWSCURRENT's key is Clerk's current key\n\u001b[32mverified\u001b[0m\u0007${'X'.repeat(5_000)}`;
/** Set the window title, hide a link behind text, C1 CSI clear-screen, DEL, a bidi override, and a long tail. */
const FORGED_TRACE = `\u001b]0;pwned\u0007\u001b]8;;https://evil.example/\u001b\\click\u001b]8;;\u001b\\\r\u009b2J\u007f\u202e${'T'.repeat(3_000)}`;
const HOSTILE_BODY = JSON.stringify({
  errors: [{ code: FORGED_CODE, message: FORGED_CODE, long_message: FORGED_TRACE }],
  clerk_trace_id: FORGED_TRACE,
});
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function expectPlainData(run: CliRun): void {
  for (const [stream, text] of [
    ['stdout', run.stdout],
    ['stderr', run.stderr],
  ] as const) {
    expect(text, `${stream} of ${run.args.join(' ')}`).not.toMatch(CONTROL);
    for (const line of text.split('\n')) expect(line.length, `a ${stream} line`).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    // The forged text may appear, but only inside the line that reports the error, never as a line of its own.
    expect(text).not.toMatch(/^\s*(ok\s|verified$)/m);
  }
}

describe('CLI: output from Clerk and AWS is data, not terminal control', () => {
  const fixture = useCliStack();
  const { cli } = fixture;
  const answerHostile = (operation: string, times: number) =>
    fixture.stack.clerk.faults.respondWith(operation, {
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: HOSTILE_BODY,
      times,
    });

  it('verify prints a hostile Clerk error body without its control characters and cut to length', async () => {
    // Prepare
    const machine = await fixture.stack.addMachine({ name: 'hostile-verify' });

    // Act: the verification's first Clerk call (Clerk's current key) gets the hostile body.
    answerHostile('getMachineSecretKey', 1);
    const text = await cli('verify', machine.secretName);
    answerHostile('getMachineSecretKey', 1);
    const json = await cli('--json', 'verify', machine.secretName);

    // Assess
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(
      /^error \[CLERK_BAD_REQUEST\]: Clerk GetMachineSecretKey: Clerk rejected the request: +ok {4}AWSCURRENT's key is Clerk's current key verifiedX+… \(HTTP 400/m,
    );
    expectPlainData(text);
    expect(json.code).toBe(1);
    const { error } = JSON.parse(json.stdout);
    expect(error.code).toBe('CLERK_BAD_REQUEST');
    expect(error.message).not.toMatch(CONTROL);
    expect(error.message.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    expectPlainData(json);
  });

  it('rotate --wait and status print the step error the function recorded from that body, made safe', async () => {
    // Prepare: createSecret's read of Clerk's key gets the hostile body on every attempt.
    const machine = await fixture.stack.addMachine({ name: 'hostile-rotation' });
    answerHostile('getMachineSecretKey', 3);

    // Act
    const rotate = await cli('rotate', machine.secretName, '--wait', '--timeout', '3', '--poll-interval', '0.2');
    await fixture.stack.secretsManager.rotationsIdle();
    const status = await cli('status', machine.secretName, '--stuck-after', '0');
    const json = await cli('--json', 'status', machine.secretName, '--stuck-after', '0');

    // Assess
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toMatch(
      /the rotation function's error.*\(createSecret, .*\) \[CLERK_BAD_REQUEST\] Clerk GetMachineSecretKey: Clerk rejected the request: +ok {4}AWSCURRENT's key/,
    );
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('[CLERK_BAD_REQUEST] Clerk GetMachineSecretKey');
    const { functionLog } = JSON.parse(json.stdout);
    expect(functionLog.errors.at(-1)).toMatchObject({ step: 'createSecret', errorCode: 'CLERK_BAD_REQUEST' });
    expect(functionLog.errors.at(-1).clerkTraceId).toMatch(/^click T+…$/);
    for (const run of [rotate, status, json]) expectPlainData(run);
  });
});
