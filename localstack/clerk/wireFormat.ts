import type { ClerkState, MachineRecord } from './ClerkState.ts';

/** Wire shapes (snake_case JSON) exactly as bapi-2026-05-12.yml declares them; timestamps in ms. */
export interface MachineWithoutScopedMachinesWire {
  readonly object: 'machine';
  readonly id: string;
  readonly name: string;
  readonly instance_id: string;
  readonly created_at: number;
  readonly updated_at: number;
  readonly default_token_ttl: number;
}

export interface MachineWire extends MachineWithoutScopedMachinesWire {
  readonly scoped_machines: readonly MachineWithoutScopedMachinesWire[];
}

export interface M2MTokenWire {
  readonly object: 'machine_to_machine_token';
  readonly id: string;
  readonly subject: string;
  readonly claims: unknown;
  readonly scopes: readonly string[];
  /** Only in the 201 of `POST /m2m_tokens`; the other responses' schemas forbid it (additionalProperties: false). */
  readonly token?: string;
  readonly revoked: boolean;
  readonly revocation_reason: string | null;
  readonly expired: boolean;
  readonly expiration: number | null;
  readonly last_used_at: number | null;
  readonly created_at: number;
  readonly updated_at: number;
}

/** The fields of a token that the wire shape needs, for stored and stateless (JWT) tokens alike. */
export interface M2MTokenView {
  readonly id: string;
  readonly subject: string;
  readonly claims: unknown;
  readonly scopes: readonly string[];
  readonly revoked: boolean;
  readonly revocationReason: string | null;
  readonly expiration: number | null;
  readonly lastUsedAt: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const machineWithoutScopes = (machine: MachineRecord): MachineWithoutScopedMachinesWire => ({
  object: 'machine',
  id: machine.id,
  name: machine.name,
  instance_id: machine.instanceId,
  created_at: machine.createdAt,
  updated_at: machine.updatedAt,
  default_token_ttl: machine.defaultTokenTtlSeconds,
});

export const toMachineWire = (machine: MachineRecord, state: ClerkState): MachineWire => ({
  ...machineWithoutScopes(machine),
  scoped_machines: machine.scopedMachineIds
    .map((id) => state.findMachine(machine.instanceId, id))
    .filter((m): m is MachineRecord => m !== undefined)
    .map(machineWithoutScopes),
});

export const toM2MTokenWire = (token: M2MTokenView, now: number, secret?: string): M2MTokenWire => ({
  object: 'machine_to_machine_token',
  id: token.id,
  subject: token.subject,
  claims: token.claims,
  scopes: [...token.scopes],
  ...(secret === undefined ? {} : { token: secret }),
  revoked: token.revoked,
  revocation_reason: token.revocationReason,
  expired: token.expiration !== null && now >= token.expiration,
  expiration: token.expiration,
  last_used_at: token.lastUsedAt,
  created_at: token.createdAt,
  updated_at: token.updatedAt,
});
