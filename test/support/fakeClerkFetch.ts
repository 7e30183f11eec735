import { randomBytes } from 'node:crypto';

/**
 * An in-memory Clerk for unit tests, reached through an injected `fetch`. It models what the rotation core relies on
 * (current key, previous key with an overlap, rotate not idempotent) and lets a test inject a fault per operation.
 * The full HTTP emulator lives in localstack/clerk; this one keeps unit tests fast and synchronous.
 */
export type FakeOperation = 'GetMachineSecretKey' | 'RotateMachineSecretKey' | 'ListM2MTokens';

export type Fault =
  | { kind: 'pass' }
  | { kind: 'status'; status: number; code?: string; retryAfter?: string }
  /** The request never reaches Clerk (connection refused). */
  | { kind: 'network-before' }
  /** Clerk processes the request, then the connection drops (the lost response). */
  | { kind: 'lost-after' }
  | { kind: 'timeout' }
  | { kind: 'raw'; status: number; body: string; contentType?: string }
  /** Runs before Clerk answers, e.g. a dashboard rotation racing the request. */
  | { kind: 'before'; run: () => void }
  /**
   * A late landing: the request is processed `afterMs` after it was received (on the fake's clock), while the client
   * sees either nothing (it times out) or, with `reply`, a gateway's answer at once (e.g. 504 with Clerk's envelope).
   */
  | { kind: 'late'; afterMs: number; reply?: { status: number; code?: string } };

export interface FakeCall {
  readonly operation: FakeOperation;
  readonly machineId: string;
  readonly keyKind: 'instance' | 'machine' | 'invalid';
  readonly status: number | 'dropped' | 'refused' | 'timeout' | 'landed-late';
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

interface MachineState {
  current: string;
  previous: { key: string; expiresAt: number } | undefined;
}

export const newMachineKey = () => `ak_${randomBytes(16).toString('hex')}`;

export class FakeClerk {
  readonly instanceKey = `sk_test_${randomBytes(12).toString('hex')}`;
  readonly machines = new Map<string, MachineState>();
  readonly calls: FakeCall[] = [];
  /** Every key ever issued, for scanning logs. */
  readonly issuedKeys: string[] = [];
  private readonly faults = new Map<FakeOperation, Fault[]>();
  private readonly lateRequests: { dueAt: number; land: () => void }[] = [];
  #nowMs = Date.parse('2026-11-30T12:00:00Z');

  /** The fake's clock; moving it forward lands every late request that is due by then. */
  get nowMs(): number {
    return this.#nowMs;
  }

  set nowMs(value: number) {
    for (;;) {
      const next = this.lateRequests.filter((late) => late.dueAt <= value).sort((a, b) => a.dueAt - b.dueAt)[0];
      if (next === undefined) break;
      this.lateRequests.splice(this.lateRequests.indexOf(next), 1);
      this.#nowMs = Math.max(this.#nowMs, next.dueAt);
      next.land();
    }
    this.#nowMs = value;
  }

  /** Requests received but not processed yet (late landings). */
  get inFlight(): number {
    return this.lateRequests.length;
  }

  /** Moves the clock until every late request has landed. */
  settle(): void {
    const last = Math.max(this.#nowMs, ...this.lateRequests.map((late) => late.dueAt));
    this.nowMs = last;
  }

  addMachine(machineId: string): string {
    const key = newMachineKey();
    this.issuedKeys.push(key);
    this.machines.set(machineId, { current: key, previous: undefined });
    return key;
  }

  currentKey(machineId: string): string {
    const machine = this.machines.get(machineId);
    if (!machine) throw new Error(`no machine ${machineId}`);
    return machine.current;
  }

  isKeyValid(machineId: string, key: string): boolean {
    const machine = this.machines.get(machineId);
    if (!machine) return false;
    if (machine.current === key) return true;
    return machine.previous?.key === key && machine.previous.expiresAt > this.nowMs;
  }

  /** A rotation made outside our code (Clerk's dashboard). */
  rotate(machineId: string, ttlSeconds: number): string {
    const machine = this.machines.get(machineId);
    if (!machine) throw new Error(`no machine ${machineId}`);
    const key = newMachineKey();
    this.issuedKeys.push(key);
    // Conservative view: the key from two rotations ago dies at once.
    machine.previous = { key: machine.current, expiresAt: this.nowMs + ttlSeconds * 1000 };
    machine.current = key;
    return key;
  }

  rotations(machineId?: string): number {
    return this.calls.filter(
      (c) =>
        c.operation === 'RotateMachineSecretKey' &&
        (machineId === undefined || c.machineId === machineId) &&
        (c.status === 200 || c.status === 'dropped' || c.status === 'landed-late'),
    ).length;
  }

  inject(operation: FakeOperation, ...faults: Fault[]): void {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), ...faults]);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const headers = Object.fromEntries(Object.entries((init?.headers ?? {}) as Record<string, string>));
    const bearer = headers.Authorization?.replace(/^Bearer /, '') ?? '';
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const path = url.pathname.replace(/^\/v1/, '');

    const route = routeOf(method, path, url);
    if (!route) return json(404, errorBody('resource_not_found'));
    const { operation, machineId } = route;

    const machine = this.machines.get(machineId);
    const keyKind: FakeCall['keyKind'] =
      bearer === this.instanceKey ? 'instance' : machine && this.isKeyValid(machineId, bearer) ? 'machine' : 'invalid';
    const record = (status: FakeCall['status']) =>
      this.calls.push({ operation, machineId, keyKind, status, headers, body });

    const fault = this.faults.get(operation)?.shift();
    if (fault?.kind === 'before') fault.run();
    if (fault?.kind === 'late') {
      this.lateRequests.push({
        dueAt: this.nowMs + fault.afterMs,
        land: () => {
          this.process(operation, machineId, bearer, body);
          this.calls.push({ operation, machineId, keyKind, status: 'landed-late', headers, body });
        },
      });
      if (fault.reply !== undefined) {
        record(fault.reply.status);
        return json(fault.reply.status, errorBody(fault.reply.code ?? 'gateway_timeout'));
      }
      record('timeout');
      return await new Promise<never>((_, reject) => {
        const signal = init?.signal;
        signal?.addEventListener('abort', () => reject(signal.reason));
      });
    }
    if (fault?.kind === 'network-before') {
      record('refused');
      throw new TypeError('fetch failed');
    }
    if (fault?.kind === 'timeout') {
      record('timeout');
      await new Promise<never>((_, reject) => {
        const signal = init?.signal;
        signal?.addEventListener('abort', () => reject(signal.reason));
      });
    }
    if (fault?.kind === 'status') {
      record(fault.status);
      const extra: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
      return json(fault.status, errorBody(fault.code ?? 'internal_clerk_error'), extra);
    }
    if (fault?.kind === 'raw') {
      record(fault.status);
      return new Response(fault.body, {
        status: fault.status,
        headers: fault.contentType ? { 'content-type': fault.contentType } : {},
      });
    }

    const [status, responseBody] = this.process(operation, machineId, bearer, body);
    if (fault?.kind === 'lost-after') {
      record('dropped');
      throw new TypeError('fetch failed', { cause: new Error('other side closed') });
    }
    record(status);
    return json(status, responseBody);
  };

  /** What Clerk does with a request it processes: the state change and the reply. */
  private process(operation: FakeOperation, machineId: string, bearer: string, body: unknown): [number, unknown] {
    const machine = this.machines.get(machineId);
    const keyKind = bearer === this.instanceKey ? 'instance' : machine && this.isKeyValid(machineId, bearer);
    let status: number;
    let responseBody: unknown;
    if (operation === 'ListM2MTokens') {
      if (!keyKind || !machine) [status, responseBody] = [401, errorBody('authentication_invalid')];
      else [status, responseBody] = [200, { m2m_tokens: [], total_count: 0 }];
    } else if (keyKind !== 'instance') {
      [status, responseBody] = [401, errorBody('authentication_invalid')];
    } else if (!machine) {
      [status, responseBody] = [404, errorBody('resource_not_found')];
    } else if (operation === 'GetMachineSecretKey') {
      [status, responseBody] = [200, { object: 'machine_secret_key', secret: machine.current }];
    } else {
      const ttl = (body as { previous_token_ttl?: unknown })?.previous_token_ttl;
      if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > 28_800) {
        [status, responseBody] = [422, errorBody('form_param_value_invalid')];
      } else {
        const key = this.rotate(machineId, ttl);
        [status, responseBody] = [200, { object: 'machine_secret_key', secret: key }];
      }
    }
    return [status, responseBody];
  }
}

function errorBody(code: string) {
  return {
    errors: [{ message: code.replaceAll('_', ' '), long_message: `fake: ${code}`, code }],
    clerk_trace_id: `trace_${randomBytes(6).toString('hex')}`,
  };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function routeOf(method: string, path: string, url: URL): { operation: FakeOperation; machineId: string } | undefined {
  const secretKey = /^\/machines\/([^/]+)\/secret_key$/.exec(path);
  if (secretKey && method === 'GET') {
    return { operation: 'GetMachineSecretKey', machineId: decodeURIComponent(secretKey[1]!) };
  }
  const rotate = /^\/machines\/([^/]+)\/secret_key\/rotate$/.exec(path);
  if (rotate && method === 'POST') {
    return { operation: 'RotateMachineSecretKey', machineId: decodeURIComponent(rotate[1]!) };
  }
  if (path === '/m2m_tokens' && method === 'GET') {
    return { operation: 'ListM2MTokens', machineId: url.searchParams.get('subject') ?? '' };
  }
  return undefined;
}
