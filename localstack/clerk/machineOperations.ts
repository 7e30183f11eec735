import { Limits } from '../../lib/constants.ts';
import type { MachineRecord } from './ClerkState.ts';
import type { ClerkOperation } from './clerkOperations.ts';
import { formParamMissing, formParamValueInvalid, resourceNotFound } from './errors.ts';
import type { OperationContext, OperationSpec } from './OperationSpec.ts';
import { bodyInteger, queryInteger } from './params.ts';
import { toMachineWire } from './wireFormat.ts';

// The /machines paths declare 422 UnprocessableEntity, so parameter errors there are 422.
const STATUS = 422;
const MAX_NAME_LENGTH = 255;
const MAX_SCOPED_MACHINES = 150;
const MAX_DEFAULT_TOKEN_TTL = 315_360_000;
const ORDER_BY = /^([+-]?)(name|created_at)$/;

type MachineOperation = Extract<
  ClerkOperation,
  'listMachines' | 'createMachine' | 'getMachine' | 'deleteMachine' | 'getMachineSecretKey' | 'rotateMachineSecretKey'
>;

/** A machine of the caller's instance; another instance's machine is answered exactly like a missing one. */
const machineInScope = (ctx: OperationContext): MachineRecord => {
  const machine = ctx.pathId === undefined ? undefined : ctx.state.findMachine(ctx.principal.instanceId, ctx.pathId);
  if (machine === undefined) throw resourceNotFound('No machine was found with the given id.');
  return machine;
};

const readName = (ctx: OperationContext): string => {
  const name = ctx.body.name;
  if (name === undefined) throw formParamMissing('name', STATUS);
  if (typeof name !== 'string' || name.length < 1 || name.length > MAX_NAME_LENGTH) {
    throw formParamValueInvalid('name', `must be a string of 1 to ${MAX_NAME_LENGTH} characters.`, STATUS);
  }
  return name;
};

const readScopedMachines = (ctx: OperationContext): string[] => {
  const scoped = ctx.body.scoped_machines;
  if (scoped === undefined) return [];
  if (!Array.isArray(scoped) || !scoped.every((id): id is string => typeof id === 'string')) {
    throw formParamValueInvalid('scoped_machines', 'must be an array of machine ids.', STATUS);
  }
  if (scoped.length > MAX_SCOPED_MACHINES) {
    throw formParamValueInvalid('scoped_machines', `must have at most ${MAX_SCOPED_MACHINES} entries.`, STATUS);
  }
  for (const id of scoped) {
    if (ctx.state.findMachine(ctx.principal.instanceId, id) === undefined) {
      throw formParamValueInvalid('scoped_machines', 'contains an id that is not a machine of this instance.', STATUS);
    }
  }
  return scoped;
};

const listMachines = (ctx: OperationContext) => {
  const limit = queryInteger(ctx.query, 'limit', { min: 1, max: 500, fallback: 10, status: STATUS });
  const offset = queryInteger(ctx.query, 'offset', { min: 0, fallback: 0, status: STATUS });
  const orderBy = ctx.query.get('order_by') ?? '-created_at';
  const order = ORDER_BY.exec(orderBy);
  if (order === null) {
    throw formParamValueInvalid('order_by', 'must be name or created_at, optionally prefixed with + or -.', STATUS);
  }
  const direction = order[1] === '-' ? -1 : 1;
  const field = order[2] as 'name' | 'created_at';
  const search = ctx.query.get('query') ?? '';
  const machines = ctx.state
    .listMachines(ctx.principal.instanceId)
    .filter((m) => search === '' || m.id === search || m.name.toLowerCase().includes(search.toLowerCase()))
    .sort((a, b) => {
      const primary = field === 'name' ? a.name.localeCompare(b.name) : a.createdAt - b.createdAt;
      return direction * (primary !== 0 ? primary : a.seq - b.seq);
    });
  return {
    status: 200,
    body: {
      data: machines.slice(offset, offset + limit).map((m) => toMachineWire(m, ctx.state)),
      total_count: machines.length,
    },
  };
};

const createMachine = (ctx: OperationContext) => {
  const name = readName(ctx);
  const scopedMachineIds = readScopedMachines(ctx);
  const defaultTokenTtlSeconds = bodyInteger(ctx.body, 'default_token_ttl', {
    min: 1,
    max: MAX_DEFAULT_TOKEN_TTL,
    required: false,
    status: STATUS,
  });
  const machine = ctx.state.createMachine(ctx.principal.instanceId, {
    name,
    scopedMachineIds,
    ...(defaultTokenTtlSeconds === undefined ? {} : { defaultTokenTtlSeconds }),
  });
  // The spec answers a create with 200 (Machine.Created), not 201; the key is only ever shown here and by GET secret_key.
  return {
    status: 200,
    body: { ...toMachineWire(machine, ctx.state), secret_key: machine.keys.current.reveal() },
    machineId: machine.id,
  };
};

export const machineOperations: Readonly<Record<MachineOperation, OperationSpec>> = {
  listMachines: { keys: 'instance', body: 'none', handle: listMachines },
  createMachine: { keys: 'instance', body: 'optional', handle: createMachine },
  getMachine: {
    keys: 'instance',
    body: 'none',
    handle: (ctx) => ({ status: 200, body: toMachineWire(machineInScope(ctx), ctx.state) }),
  },
  deleteMachine: {
    keys: 'instance',
    body: 'none',
    handle: (ctx) => {
      const machine = machineInScope(ctx);
      ctx.state.deleteMachine(machine.id);
      return { status: 200, body: { object: 'machine', id: machine.id, deleted: true } };
    },
  },
  getMachineSecretKey: {
    keys: 'instance',
    body: 'none',
    handle: (ctx) => ({
      status: 200,
      body: { object: 'machine_secret_key', secret: machineInScope(ctx).keys.current.reveal() },
    }),
  },
  rotateMachineSecretKey: {
    keys: 'instance',
    body: 'required',
    handle: (ctx) => {
      // The body is checked before the machine is looked up: a malformed request is malformed for any machine.
      const ttl = bodyInteger(ctx.body, 'previous_token_ttl', {
        ...Limits.previousKeyTtlSeconds,
        required: true,
        status: STATUS,
      }) as number;
      const machine = machineInScope(ctx);
      const secret = ctx.state.rotateKey(machine.id, ttl, 'api');
      return { status: 200, body: { object: 'machine_secret_key', secret } };
    },
  },
};
