import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClerkEmulator, ManualClock, startClerkEmulator } from '../../localstack/clerk/index.ts';
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from '../../localstack/secretsManager/index.ts';

interface Reply {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
}

/** POST …/secret_key/rotate with the instance key; `timeoutMs` makes the client give up like our client does. */
const rotate = async (emu: ClerkEmulator, machineId: string, timeoutMs = 5_000): Promise<Reply> => {
  const res = await fetch(`${emu.url}/machines/${machineId}/secret_key/rotate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emu.defaultInstance.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ previous_token_ttl: 60 }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
};

const gaveUp = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (error: unknown) => (error as Error).name,
  );

const emulators: { close(): Promise<void> }[] = [];
const clients: SecretsManagerClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(emulators.splice(0).map((emu) => emu.close()));
});

const startClerk = async (clock: ManualClock): Promise<ClerkEmulator> => {
  const emu = await startClerkEmulator({ clock, rateLimit: false });
  emulators.push(emu);
  return emu;
};

describe('Clerk emulator: late landings', () => {
  it('landLate processes a rotate the client gave up on, later, and records when it was processed', async () => {
    // Prepare
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 9));
    const emu = await startClerk(clock);
    const machine = emu.createMachine();
    emu.faults.landLate('rotateMachineSecretKey', { afterMs: 600 });
    // Act: the client times out after 200 ms; meanwhile the emulator's clock moves on by 5 s
    const outcome = await gaveUp(rotate(emu, machine.id, 200));
    const keyWhenClientGaveUp = emu.currentKey(machine.id);
    clock.advance(5_000);
    await emu.settled();
    // Assess: not processed when the client gave up, processed once it landed
    expect(outcome).toBe('TimeoutError');
    expect(keyWhenClientGaveUp).toBe(machine.secretKey);
    expect(emu.currentKey(machine.id)).not.toBe(machine.secretKey);
    const [entry] = emu.audit.entries({ operation: 'rotateMachineSecretKey' });
    expect(entry).toMatchObject({ fault: 'land-late', status: 200, outcome: 'ok' });
    expect(entry?.processedAt).toBe((entry?.at ?? 0) + 5_000);
    expect(emu.rotationsFor(machine.id)).toHaveLength(1);
  });

  it('landLate answers a client that waits, after the delay, and is used up after `times` calls', async () => {
    const emu = await startClerk(new ManualClock());
    const machine = emu.createMachine();
    const handle = emu.faults.landLate('rotateMachineSecretKey', { afterMs: 150, times: 1 });

    const started = performance.now();
    const late = await rotate(emu, machine.id);
    const lateMs = performance.now() - started;
    const onTime = await rotate(emu, machine.id);

    expect(late.status).toBe(200);
    expect(lateMs).toBeGreaterThanOrEqual(140);
    expect(onTime.status).toBe(200);
    expect(handle).toMatchObject({ triggered: 1, remaining: 0 });
    expect(emu.audit.entries().map((e) => e.fault)).toEqual(['land-late', undefined]);
  });

  it('answerNowProcessLater answers 504 in the envelope at once and rotates afterMs later', async () => {
    // Prepare
    const clock = new ManualClock(Date.UTC(2026, 10, 30, 9));
    const emu = await startClerk(clock);
    const machine = emu.createMachine();
    emu.faults.answerNowProcessLater('rotateMachineSecretKey', { afterMs: 200, code: 'gateway_timeout' });
    // Act
    const reply = await rotate(emu, machine.id);
    const keyWhenAnswered = emu.currentKey(machine.id);
    clock.advance(1_000);
    await emu.settled();
    // Assess
    expect(reply.status).toBe(504);
    expect(JSON.parse(reply.text)).toMatchObject({ errors: [{ code: 'gateway_timeout' }] });
    expect(keyWhenAnswered).toBe(machine.secretKey);
    expect(emu.currentKey(machine.id)).not.toBe(machine.secretKey);
    expect(emu.audit.entries()).toEqual([
      expect.objectContaining({
        outcome: 'processed-after-answer',
        fault: 'answer-now-process-later',
        answeredStatus: 504,
        status: 200,
        processedAt: (emu.audit.entries()[0]?.at ?? 0) + 1_000,
      }),
    ]);
    expect(emu.rotationsFor(machine.id)).toHaveLength(1);
  });

  it('answerNowProcessLater can answer with a given body, exactly as given', async () => {
    const emu = await startClerk(new ManualClock());
    const machine = emu.createMachine();
    const body = '{"errors":[{"code":"gateway_timeout"}]}';
    emu.faults.answerNowProcessLater('rotateMachineSecretKey', {
      afterMs: 50,
      status: 502,
      body,
      headers: { 'content-type': 'application/json' },
    });

    const reply = await rotate(emu, machine.id);
    await emu.settled();

    expect(reply).toEqual({ status: 502, contentType: 'application/json', text: body });
    expect(emu.rotationsFor(machine.id)).toEqual([expect.objectContaining({ answeredStatus: 502, status: 200 })]);
  });

  it('settled() waits for every request still to land, and resolves at once when none is pending', async () => {
    const emu = await startClerk(new ManualClock());
    const machines = [emu.createMachine(), emu.createMachine(), emu.createMachine()];
    await emu.settled();
    const [first, second, third] = machines.map((m) => ({
      method: 'POST',
      path: `/machines/${m.id}/secret_key/rotate`,
    }));
    emu.faults.landLate(first!, { afterMs: 600 });
    emu.faults.answerNowProcessLater(second!, { afterMs: 800 });
    emu.faults.addLatency(third!, 400, { times: 1 });

    // The clients give up after 200 ms: long enough for every request to reach the emulator, short of any landing.
    const replies = await Promise.all(machines.map((machine) => gaveUp(rotate(emu, machine.id, 200))));
    const rotatedBefore = machines.filter((m) => emu.currentKey(m.id) !== m.secretKey).length;
    await emu.settled();

    expect(replies).toEqual(['TimeoutError', 'answered', 'TimeoutError']);
    expect(rotatedBefore).toBe(0);
    expect(machines.filter((m) => emu.currentKey(m.id) !== m.secretKey)).toHaveLength(3);
    expect(emu.audit.count({ operation: 'rotateMachineSecretKey', status: 200 })).toBe(3);
  });

  it('close() abandons a call answered but not yet processed: the key stays, the entry says so', async () => {
    const emu = await startClerkEmulator({ clock: new ManualClock(), rateLimit: false });
    const machine = emu.createMachine();
    emu.faults.answerNowProcessLater('rotateMachineSecretKey', { afterMs: 60_000 });

    const reply = await rotate(emu, machine.id);
    const started = performance.now();
    await emu.close();

    expect(reply.status).toBe(504);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(emu.currentKey(machine.id)).toBe(machine.secretKey);
    expect(emu.audit.entries()).toEqual([
      expect.objectContaining({ status: 504, outcome: 'error', fault: 'answer-now-process-later' }),
    ]);
    expect(emu.audit.entries()[0]).not.toHaveProperty('processedAt');
  });

  it('validates the options of the late-landing faults', async () => {
    const emu = await startClerk(new ManualClock());
    expect(() => emu.faults.landLate('rotateMachineSecretKey', { afterMs: -1 })).toThrow(/afterMs must be >= 0 ms/);
    expect(() => emu.faults.answerNowProcessLater('*', { afterMs: 10, status: 42 })).toThrow(/status/);
    expect(() => emu.faults.landLate('rotate', { afterMs: 10 })).toThrow(/operation/);
  });
});

describe('Secrets Manager emulator: late landings', () => {
  const start = async (): Promise<{ sm: SecretsManagerEmulator; client: SecretsManagerClient }> => {
    const sm = await startSecretsManagerEmulator({ clock: new ManualClock(Date.UTC(2026, 10, 30, 9)), seed: 5 });
    emulators.push(sm);
    const client = sm.createClient({ maxAttempts: 1 });
    clients.push(client);
    await client.send(new CreateSecretCommand({ Name: 'late/secret', SecretString: 'v1' }));
    return { sm, client };
  };
  const put = (client: SecretsManagerClient, value: string) =>
    client.send(new PutSecretValueCommand({ SecretId: 'late/secret', SecretString: value }));
  const current = async (client: SecretsManagerClient) =>
    (await client.send(new GetSecretValueCommand({ SecretId: 'late/secret' }))).SecretString;

  it('landLate stores a PutSecretValue whose client timed out, once it lands', async () => {
    const { sm } = await start();
    const impatient = sm.createClient({ maxAttempts: 1, requestTimeoutMs: 200 });
    clients.push(impatient);
    const reader = sm.createClient({ maxAttempts: 1 });
    clients.push(reader);
    sm.faults.landLate('PutSecretValue', { afterMs: 600 });

    const outcome = await gaveUp(put(impatient, 'v2'));
    const before = await current(reader);
    await sm.settled();

    expect(outcome).toMatch(/Timeout/);
    expect(before).toBe('v1');
    expect(await current(reader)).toBe('v2');
    expect(sm.audit.entries({ operation: 'PutSecretValue' })).toEqual([
      expect.objectContaining({ fault: 'land-late', status: 200, outcome: 'ok', processedAt: expect.any(Number) }),
    ]);
  });

  it('answerNowProcessLater answers an AWS error at once and stores the value afterMs later', async () => {
    const { sm, client } = await start();
    sm.faults.answerNowProcessLater('PutSecretValue', { afterMs: 150, code: 'ServiceUnavailable' });

    const error = await put(client, 'v2').catch(
      (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } },
    );
    const before = await current(client);
    await sm.settled();

    expect(error).toMatchObject({ name: 'ServiceUnavailable', $metadata: { httpStatusCode: 504 } });
    expect(before).toBe('v1');
    expect(await current(client)).toBe('v2');
    expect(sm.audit.entries({ operation: 'PutSecretValue' })).toEqual([
      expect.objectContaining({
        outcome: 'processed-after-answer',
        answeredStatus: 504,
        status: 200,
        fault: 'answer-now-process-later',
      }),
    ]);
  });
});
