import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../lib/errors.ts';
import { type FunctionCall, startLocalStack } from '../../localstack/startLocalStack.ts';
import { matrixReport } from '../support/MatrixReport.ts';
import {
  CALL_POINTS,
  type CallPoint,
  describePoint,
  FAULT_KINDS,
  type FaultKind,
} from '../support/matrixCallPoints.ts';
import { type FaultCellResult, runFaultCell } from '../support/runFaultCell.ts';

/**
 * The fault matrix (docs/decisions/005-chaos-and-fleet-testing.md): every outbound call of every step of a clean
 * rotation × every fault kind, each cell a named specification. A cell runs a real rotation through both emulators
 * on a stack of its own (test/support/runFaultCell.ts) with its one fault armed for exactly that call of the first
 * attempt. Secrets Manager re-attempts at once — inside the landing horizon of any rotate that may still land — and
 * then after the horizon (docs/decisions/007-landing-horizon.md); a rotation still unfinished is re-attempted once
 * faults stop. Every cell must end with AWSCURRENT on a new key equal to Clerk's current key and hold I1–I5.
 *
 * Where the first attempt may have left a rotate in flight (Clerk's rotate failing ambiguously — a dropped
 * connection, a 5xx, a timeout, a lost response — or its record written while the step failed around it), the
 * re-attempt at once must refuse with ROTATE_IN_FLIGHT; everywhere else no attempt waits for a horizon.
 */

const recorded = (point: CallPoint, kind: FaultKind): boolean => {
  const { operation } = point;
  if (operation === 'rotateMachineSecretKey') return kind !== '429';
  // The record is on the secret once TagResource was processed; the lock's read failing leaves it there.
  if (operation === 'TagResource') return kind === 'timeout' || kind === 'lost-response';
  // A put that failed after Clerk answered leaves the record too (F7): the next attempt adopts after the horizon.
  // A put whose reply was lost was processed: the key is stored and the record answered.
  if (operation === 'PutSecretValue') return kind === 'fail-before-send' || kind === '5xx' || kind === '429';
  return operation === 'DescribeSecret' && point.step === 'createSecret' && point.ordinal === 2;
};

interface MatrixCell {
  readonly name: string;
  readonly point: CallPoint;
  readonly kind: FaultKind;
  readonly waitsOutHorizon: boolean;
}

const CELLS: readonly MatrixCell[] = CALL_POINTS.flatMap((point) =>
  FAULT_KINDS.map((kind) => ({
    name: `${point.step}: ${describePoint(point)} × ${kind}`,
    point,
    kind,
    waitsOutHorizon: recorded(point, kind),
  })),
);

const outcomeOf = (result: FaultCellResult): string => {
  if (result.violations.length > 0) return `VIOLATED: ${result.violations.join('; ')}`;
  const how = result.neededRecovery
    ? 'ok after a re-attempt once faults stopped'
    : result.attempts > 1
      ? `ok after ${result.attempts} attempts`
      : 'ok';
  return result.errorCodes.length > 0 ? `${how} (${result.errorCodes.join(', ')})` : how;
};

describe('Fault matrix: one fault at each outbound call of a rotation', () => {
  const report = matrixReport(
    'Fault matrix',
    ['step', 'call', 'fault', 'armed', 'outcome (error lines)'],
    CELLS.map((cell) => cell.name),
  );

  it('has a cell for every outbound call a clean rotation makes, in order', async () => {
    // Prepare
    const calls: FunctionCall[] = [];
    const stack = await startLocalStack({ beforeFunctionCall: (call) => void calls.push(call) });
    try {
      const machine = await stack.addMachine();
      calls.length = 0;

      // Act
      await stack.rotate(machine.secretName);
    } finally {
      await stack.close();
    }

    // Assess
    const ordinals = new Map<string, number>();
    const seen = calls.map((call) => {
      const key = `${call.step} ${call.service} ${call.operation}`;
      ordinals.set(key, (ordinals.get(key) ?? 0) + 1);
      return `${key}#${ordinals.get(key)}`;
    });
    expect(seen).toEqual(CALL_POINTS.map((p) => `${p.step} ${p.service} ${p.operation}#${p.ordinal}`));
    expect(CELLS).toHaveLength(CALL_POINTS.length * FAULT_KINDS.length);
  });

  it.each(CELLS.map((cell) => [cell.name, cell] as const))(
    '%s: one rotation, AWSCURRENT on Clerk’s new key, I1–I5 hold',
    async (_, cell) => {
      // Act
      const result = await runFaultCell(cell.point, cell.kind);
      report.record(
        cell.name,
        [
          cell.point.step,
          describePoint(cell.point),
          cell.kind,
          result.reached ? 'hit' : 'not reached',
          outcomeOf(result),
        ],
        result.reached && result.violations.length === 0,
      );

      // Assess
      expect(result.reached, 'the armed call was never made').toBe(true);
      expect(result.violations).toEqual([]);
      const refusedInsideHorizon = result.errorCodes.includes(ErrorCode.rotateInFlight);
      expect(refusedInsideHorizon, 'ROTATE_IN_FLIGHT from the re-attempt at once').toBe(cell.waitsOutHorizon);
    },
  );
});
