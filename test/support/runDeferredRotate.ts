import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ROTATE_RECORD_TAG_PREFIX } from '../../lib/constants.ts';
import type { LocalStack } from '../../localstack/startLocalStack.ts';
import { startLocalStack } from '../../localstack/startLocalStack.ts';
import { apiRotations, currentKeyOf, rotateAndSettle } from './rotationInvariants.ts';
import { endState } from './runLateLanding.ts';

export interface DeferredRotateFacts {
  /** When createSecret's first invocation ended: rotations at Clerk, rotate records on the secret, its error line. */
  readonly afterFirstInvocation: {
    readonly apiRotations: number;
    readonly rotateRecords: number;
    readonly errorCode: string | undefined;
    readonly message: string | undefined;
  };
  readonly apiRotations: number;
  readonly completed: boolean;
  readonly endsOnClerkKey: boolean;
  readonly endViolations: readonly string[];
}

async function rotateRecordsOn(stack: LocalStack, secretName: string): Promise<number> {
  const described = await stack.client.send(new DescribeSecretCommand({ SecretId: secretName }));
  return (described.Tags ?? []).filter((tag) => tag.Key?.startsWith(ROTATE_RECORD_TAG_PREFIX)).length;
}

/**
 * The deadline case: the first createSecret stalls for `stallMs` of its clock right before `stallBefore` (a Clerk
 * read or a Secrets Manager call the function is about to make), so that what is left of the invocation no longer
 * fits a rotate (its whole client timeout and a reconcile read), or the rotate's send window has passed since its
 * record was written. Manual clock, the product's 5 s client timeout and a 60 s Lambda (57 s after the margin);
 * Secrets Manager re-attempts at once.
 */
export async function runDeferredRotate(stallBefore: string, stallMs: number): Promise<DeferredRotateFacts> {
  const logs: string[] = [];
  const holder: { stack?: LocalStack; machineId?: string; first?: DeferredRotateFacts['afterFirstInvocation'] } = {};
  let stalled = false;
  let createSecretRuns = 0;
  const stack = await startLocalStack({
    writeLog: (line) => logs.push(line),
    rotationMaxAttempts: 2,
    beforeFunctionCall: (call) => {
      if (stalled || call.step !== 'createSecret' || call.operation !== stallBefore) return;
      stalled = true;
      holder.stack?.clock.advance?.(stallMs);
    },
    wrapHandler: (handler) => async (event, context) => {
      const first = event.Step === 'createSecret' && ++createSecretRuns === 1;
      try {
        return await handler(event, context);
      } finally {
        if (first && holder.stack !== undefined && holder.machineId !== undefined) {
          const errorLine = logs.map((line) => JSON.parse(line)).find((line) => line.level === 'error');
          holder.first = {
            apiRotations: apiRotations(holder.stack, holder.machineId),
            rotateRecords: await rotateRecordsOn(holder.stack, event.SecretId),
            errorCode: errorLine?.errorCode,
            message: errorLine?.message,
          };
        }
      }
    },
  });
  holder.stack = stack;
  try {
    const machine = await stack.addMachine();
    const keyAppsHold = await currentKeyOf(stack, machine.secretName);
    holder.machineId = machine.machineId;
    logs.length = 0;
    const rotation = await rotateAndSettle(stack, machine);
    if (holder.first === undefined) throw new Error('createSecret never ran');
    return {
      afterFirstInvocation: holder.first,
      apiRotations: apiRotations(stack, machine.machineId),
      completed: rotation?.outcome === 'succeeded',
      ...(await endState(stack, machine, logs, keyAppsHold === undefined ? [] : [keyAppsHold])),
    };
  } finally {
    await stack.close();
  }
}
