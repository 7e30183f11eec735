import type { Clock } from '../common/Clock.ts';
import { newOpaqueToken, newTokenId } from './identifiers.ts';
import { fingerprintSecret, RedactedSecret } from './RedactedSecret.ts';

/** A stored (opaque-format) M2M token. JWT-format tokens are stateless and never stored, as in Clerk. */
export interface M2MTokenRecord {
  readonly id: string;
  readonly instanceId: string;
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly claims: unknown;
  readonly secret: RedactedSecret;
  revoked: boolean;
  revocationReason: string | null;
  readonly expiration: number | null;
  lastUsedAt: number | null;
  readonly createdAt: number;
  updatedAt: number;
  readonly seq: number;
}

export interface CreateOpaqueTokenInput {
  readonly instanceId: string;
  readonly subject: string;
  readonly scopes: readonly string[];
  readonly claims: unknown;
  /** Lifetime in ms, or null for a token that never expires. */
  readonly lifetimeMs: number | null;
  /** Clerk's server-side reuse: return a live token with the same claims and scopes if it has this much left. */
  readonly minRemainingTtlSeconds?: number;
}

const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
};

export class M2MTokenStore {
  readonly #clock: Clock;
  readonly #byId = new Map<string, M2MTokenRecord>();
  readonly #idByFingerprint = new Map<string, string>();
  #seq = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  isExpired(record: M2MTokenRecord, now = this.#clock.now()): boolean {
    return record.expiration !== null && now >= record.expiration;
  }

  createOpaque(input: CreateOpaqueTokenInput): { record: M2MTokenRecord; reused: boolean } {
    const now = Math.floor(this.#clock.now());
    if (input.minRemainingTtlSeconds !== undefined) {
      const reusable = this.#findReusable(input, now, input.minRemainingTtlSeconds);
      if (reusable !== undefined) return { record: reusable, reused: true };
    }
    const record: M2MTokenRecord = {
      id: newTokenId(),
      instanceId: input.instanceId,
      subject: input.subject,
      scopes: [...input.scopes],
      claims: input.claims,
      secret: new RedactedSecret(newOpaqueToken()),
      revoked: false,
      revocationReason: null,
      expiration: input.lifetimeMs === null ? null : now + Math.round(input.lifetimeMs),
      lastUsedAt: null,
      createdAt: now,
      updatedAt: now,
      seq: this.#seq++,
    };
    this.#byId.set(record.id, record);
    this.#idByFingerprint.set(record.secret.fingerprint, record.id);
    return { record, reused: false };
  }

  #findReusable(input: CreateOpaqueTokenInput, now: number, minRemainingSeconds: number): M2MTokenRecord | undefined {
    const claims = canonicalJson(input.claims);
    const scopes = canonicalJson([...input.scopes].sort());
    let best: M2MTokenRecord | undefined;
    for (const record of this.#byId.values()) {
      if (record.subject !== input.subject || record.revoked || this.isExpired(record, now)) continue;
      const remainingMs = record.expiration === null ? Number.POSITIVE_INFINITY : record.expiration - now;
      if (remainingMs < minRemainingSeconds * 1000) continue;
      if (canonicalJson(record.claims) !== claims || canonicalJson([...record.scopes].sort()) !== scopes) continue;
      if (best === undefined || record.seq > best.seq) best = record;
    }
    return best;
  }

  findByToken(token: string): M2MTokenRecord | undefined {
    const id = this.#idByFingerprint.get(fingerprintSecret(token));
    return id === undefined ? undefined : this.#byId.get(id);
  }

  findById(id: string): M2MTokenRecord | undefined {
    return this.#byId.get(id);
  }

  /** A machine's tokens, newest first; revoked and expired ones only when asked for (Clerk's `revoked`/`expired`). */
  listForSubject(subject: string, opts: { includeRevoked: boolean; includeExpired: boolean }): M2MTokenRecord[] {
    const now = this.#clock.now();
    return [...this.#byId.values()]
      .filter((r) => r.subject === subject)
      .filter((r) => opts.includeRevoked || !r.revoked)
      .filter((r) => opts.includeExpired || !this.isExpired(r, now))
      .sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
  }

  /** Revoking twice keeps the first reason and time: revocation is a one-way state change. */
  revoke(record: M2MTokenRecord, reason: string | null): void {
    if (record.revoked) return;
    record.revoked = true;
    record.revocationReason = reason;
    record.updatedAt = Math.floor(this.#clock.now());
  }

  markUsed(record: M2MTokenRecord): void {
    const now = Math.floor(this.#clock.now());
    record.lastUsedAt = now;
    record.updatedAt = now;
  }

  deleteForSubject(subject: string): void {
    for (const [id, record] of this.#byId) {
      if (record.subject !== subject) continue;
      this.#byId.delete(id);
      this.#idByFingerprint.delete(record.secret.fingerprint);
    }
  }
}
