import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedError } from '../../localstack/secretsManager/index.ts';
import { type FunctionCall, type LocalStack, startLocalStack } from '../../localstack/startLocalStack.ts';
import {
  checkClerkKeyStored,
  checkCurrentKeyWorks,
  checkLegalEndState,
  checkNoKeyLogged,
  checkRotatedAtMostOnce,
  completePendingRotation,
} from '../support/rotationInvariants.ts';

/**
 * The fault matrix: every outbound call of every step of a clean rotation × every fault kind. Each cell runs a real
 * rotation through both emulators with that one fault armed for exactly that call (the first attempt only), lets
 * Secrets Manager's emulator retry the rotation as AWS does, completes a still-pending rotation once faults stop,
 * and checks the invariants I1–I5.
 */

type Service = FunctionCall['service'];
interface CallPoint {
  readonly step: string;
  readonly service: Service;
  readonly operation: string;
  /** 1 for the first call of this operation within the step. */
  readonly ordinal: number;
  readonly what: string;
}

const CALL_POINTS: readonly CallPoint[] = [
  { step: 'createSecret', service: 'secretsmanager', operation: 'DescribeSecret', ordinal: 1, what: 'preamble' },
  { step: 'createSecret', service: 'secretsmanager', operation: 'GetSecretValue', ordinal: 1, what: 'pending staged?' },
  { step: 'createSecret', service: 'secretsmanager', operation: 'GetSecretValue', ordinal: 2, what: 'read AWSCURRENT' },
  {
    step: 'createSecret',
    service: 'secretsmanager',
    operation: 'GetSecretValue',
    ordinal: 3,
    what: 'read instance key',
  },
  { step: 'createSecret', service: 'clerk', operation: 'getMachineSecretKey', ordinal: 1, what: 'reconcile' },
  { step: 'createSecret', service: 'clerk', operation: 'rotateMachineSecretKey', ordinal: 1, what: 'rotate' },
  { step: 'createSecret', service: 'secretsmanager', operation: 'PutSecretValue', ordinal: 1, what: 'stage pending' },
  { step: 'setSecret', service: 'secretsmanager', operation: 'DescribeSecret', ordinal: 1, what: 'preamble' },
  { step: 'setSecret', service: 'secretsmanager', operation: 'GetSecretValue', ordinal: 1, what: 'confirm pending' },
  { step: 'testSecret', service: 'secretsmanager', operation: 'DescribeSecret', ordinal: 1, what: 'preamble' },
  { step: 'testSecret', service: 'secretsmanager', operation: 'GetSecretValue', ordinal: 1, what: 'read pending' },
  { step: 'testSecret', service: 'clerk', operation: 'listM2MTokens', ordinal: 1, what: 'prove pending key' },
  { step: 'testSecret', service: 'secretsmanager', operation: 'GetSecretValue', ordinal: 2, what: 'read instance key' },
  { step: 'testSecret', service: 'clerk', operation: 'getMachineSecretKey', ordinal: 1, what: 'is Clerk current?' },
  { step: 'finishSecret', service: 'secretsmanager', operation: 'DescribeSecret', ordinal: 1, what: 'preamble' },
  { step: 'finishSecret', service: 'secretsmanager', operation: 'GetSecretValue', ordinal: 1, what: 'read pending' },
  {
    step: 'finishSecret',
    service: 'secretsmanager',
    operation: 'UpdateSecretVersionStage',
    ordinal: 1,
    what: 'move AWSCURRENT',
  },
  {
    step: 'finishSecret',
    service: 'secretsmanager',
    operation: 'UpdateSecretVersionStage',
    ordinal: 2,
    what: 'remove AWSPENDING',
  },
];

const FAULT_KINDS = ['fail-before-send', '5xx', '429', 'timeout', 'lost-response'] as const;
type FaultKind = (typeof FAULT_KINDS)[number];

const TIMEOUT_MS = 200;
const LATENCY_MS = 600;

function arm(stack: LocalStack, point: CallPoint, kind: FaultKind): void {
  const op = point.operation;
  if (point.service === 'clerk') {
    const faults = stack.clerk.faults;
    if (kind === 'fail-before-send') faults.dropBeforeProcessing(op, { times: 1 });
    else if (kind === '5xx') faults.failNext(op, { status: 503, code: 'service_unavailable' });
    else if (kind === '429') faults.failNext(op, { status: 429, retryAfterSeconds: 1 });
    else if (kind === 'timeout') faults.addLatency(op, LATENCY_MS, { times: 1 });
    else faults.dropAfterProcessing(op, { times: 1 });
    return;
  }
  const faults = stack.secretsManager.faults;
  if (kind === 'fail-before-send') faults.dropBeforeProcessing(op, { times: 1 });
  else if (kind === '5xx') faults.failNext(op, { ...SimulatedError.internal, times: 1 });
  else if (kind === '429') faults.failNext(op, { ...SimulatedError.throttling, times: 1 });
  else if (kind === 'timeout') faults.addLatency(op, LATENCY_MS, { times: 1 });
  else faults.dropAfterProcessing(op, { times: 1 });
}

interface Cell {
  readonly point: CallPoint;
  readonly kind: FaultKind;
  triggered: boolean;
  attempts: number;
  recovered: boolean;
  violations: string[];
}

let stack: LocalStack;
let backoffMs = 0;
const logs: string[] = [];
let target: { cell: Cell; seen: Map<string, number>; step: string | undefined } | undefined;
let oldKeyWatch: { machineId: string; secretName: string; key: string; currentVersion: string } | undefined;
const cells: Cell[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    writeLog: (line) => logs.push(line),
    clerkRetry: { minTimeoutMs: 1, maxTimeoutMs: 5 },
    clerkRequestTimeoutMs: TIMEOUT_MS,
    functionSdkRequestTimeoutMs: TIMEOUT_MS,
    rotationMaxAttempts: 3,
    // Secrets Manager re-attempts a failed rotation later, not at once: long enough here for a request still in
    // flight after a client timeout to land first (it would otherwise hide a double rotation from the checks).
    rotationBackoffMs: () => backoffMs,
    // No SDK retries inside an invocation: every Secrets Manager fault fails the step, so the matrix exercises the
    // engine's recovery across attempts, not the SDK's (Clerk calls keep the product's own retry policy).
    functionSdkMaxAttempts: 1,
    beforeFunctionCall: (call) => {
      // I1 while the rotation runs: until AWSCURRENT moves, the key apps hold must keep working at Clerk.
      if (oldKeyWatch) {
        const versions = stack.secretsManager.inspectSecret(oldKeyWatch.secretName)?.versions ?? [];
        const current = versions.find((v) => v.stages.includes('AWSCURRENT'));
        if (
          current?.versionId === oldKeyWatch.currentVersion &&
          !stack.clerk.isKeyValid(oldKeyWatch.machineId, oldKeyWatch.key)
        ) {
          target?.cell.violations.push('I1: the key in AWSCURRENT stopped working mid-rotation');
        }
      }
      if (!target || target.cell.triggered) return;
      if (call.step !== target.step) {
        target.step = call.step;
        target.seen.clear();
      }
      const key = `${call.service}:${call.operation}`;
      const count = (target.seen.get(key) ?? 0) + 1;
      target.seen.set(key, count);
      const { point } = target.cell;
      if (
        call.step === point.step &&
        call.service === point.service &&
        call.operation === point.operation &&
        count === point.ordinal
      ) {
        target.cell.triggered = true;
        arm(stack, point, target.cell.kind);
      }
    },
  });
});

afterAll(async () => {
  await stack?.close();
});

async function runCell(point: CallPoint, kind: FaultKind): Promise<Cell> {
  const cell: Cell = { point, kind, triggered: false, attempts: 0, recovered: false, violations: [] };
  const machine = await stack.addMachine();
  const before = JSON.parse(
    (await stack.client.send(new GetSecretValueCommand({ SecretId: machine.secretName }))).SecretString ?? '{}',
  );
  const currentVersion = stack.secretsManager
    .inspectSecret(machine.secretName)
    ?.versions.find((v) => v.stages.includes('AWSCURRENT'));
  oldKeyWatch = {
    machineId: machine.machineId,
    secretName: machine.secretName,
    key: before.secretKey,
    currentVersion: currentVersion!.versionId,
  };
  const logStart = logs.length;
  target = { cell, seen: new Map(), step: undefined };
  backoffMs = kind === 'timeout' ? LATENCY_MS + 200 : 0;
  try {
    await stack.rotate(machine.secretName);
  } finally {
    target = undefined;
  }
  // A request the client gave up on is still processed when its latency ends: let it land before checking.
  if (kind === 'timeout') await new Promise((resolve) => setTimeout(resolve, LATENCY_MS + 100));
  const rotation = stack.secretsManager
    .rotations()
    .filter((r) => r.secretArn === machine.secretArn)
    .at(-1);
  cell.attempts = rotation?.attempts.length ?? 0;
  if (rotation?.outcome !== 'succeeded') {
    // Faults have stopped: Secrets Manager re-attempts the unfinished rotation.
    const failures = await completePendingRotation(stack, machine);
    cell.recovered = failures.length === 0;
  }
  oldKeyWatch = undefined;
  const observed = { stack, machine, logs: logs.slice(logStart) };
  cell.violations.push(
    ...(await checkCurrentKeyWorks(observed)),
    ...checkRotatedAtMostOnce(observed, 0),
    ...(await checkClerkKeyStored(observed)),
    ...checkLegalEndState(observed),
  );
  const after = JSON.parse(
    (await stack.client.send(new GetSecretValueCommand({ SecretId: machine.secretName }))).SecretString ?? '{}',
  );
  if (after.secretKey === before.secretKey || after.secretKey !== stack.clerk.currentKey(machine.machineId)) {
    cell.violations.push('not completed: AWSCURRENT does not hold a new key equal to Clerk’s current key');
  }
  // I5: every key this machine ever had, and the instance key, against this cell's log lines.
  const keys = [
    stack.clerk.defaultInstance.secretKey,
    before.secretKey,
    after.secretKey,
    stack.clerk.currentKey(machine.machineId),
  ];
  cell.violations.push(...checkNoKeyLogged(observed.logs, keys));
  // Leave nothing armed for the next cell (a fault whose call never came, e.g. a second attempt that adopted).
  stack.clerk.faults.clear();
  stack.secretsManager.faults.clear();
  stack.clock.advance?.(400_000);
  return cell;
}

describe('Fault matrix: one fault at each outbound call of a rotation', () => {
  it(`holds I1–I5 at all ${CALL_POINTS.length * FAULT_KINDS.length} fault points`, async () => {
    for (const point of CALL_POINTS) {
      for (const kind of FAULT_KINDS) cells.push(await runCell(point, kind));
    }

    const rows = cells.map((c) => {
      const outcome =
        c.violations.length > 0
          ? `VIOLATED: ${c.violations.join('; ')}`
          : c.attempts > 1
            ? `ok after ${c.attempts} attempts`
            : c.recovered
              ? 'ok after re-attempt'
              : 'ok';
      return `| ${c.point.step} | ${c.point.service} ${c.point.operation}#${c.point.ordinal} (${c.point.what}) | ${c.kind} | ${c.triggered ? 'hit' : 'not reached'} | ${outcome} |`;
    });
    const summary = `${cells.length} fault points: ${cells.filter((c) => c.violations.length === 0).length} hold I1–I5, ${cells.filter((c) => c.attempts > 1 || c.recovered).length} needed another attempt`;
    console.log([summary, '| step | call | fault | armed | outcome |', '|---|---|---|---|---|', ...rows].join('\n'));

    expect(cells).toHaveLength(90);
    // The rotate call is reached only when Clerk still holds AWSCURRENT's key; every other point is on the clean path.
    expect(cells.filter((c) => !c.triggered)).toEqual([]);
    expect(
      cells
        .filter((c) => c.violations.length > 0)
        .map((c) => `${c.point.step} ${c.point.operation}#${c.point.ordinal} ${c.kind}: ${c.violations.join('; ')}`),
    ).toEqual([]);
  }, 300_000);
});
