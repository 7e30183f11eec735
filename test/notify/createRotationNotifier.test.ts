import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.ts';
import { createJsonLogger } from '../../lib/Logger.ts';
import { MACHINE_KEY_ROTATED, type MachineKeyRotatedEvent } from '../../lib/MachineKeyRotatedEvent.ts';
import {
  createRotationNotifier,
  ROTATION_NOTIFICATION_FAILED_METRIC,
} from '../../lib/notify/createRotationNotifier.ts';
import { awsError } from '../support/readerFixtures.ts';

const A = 'arn:aws:lambda:us-east-1:123456789012:function:consumer-a';
const B = 'arn:aws:lambda:us-east-1:123456789012:function:consumer-b:live';
const EVENT: MachineKeyRotatedEvent = {
  type: MACHINE_KEY_ROTATED,
  secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/clerk/machines/billing-AbCdEf',
  versionId: '7d2c1c5e-8a47-4d59-9c5b-2f7a3b0f1e11',
  machineId: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
};

/** A Lambda client behind aws-sdk-client-mock whose Invoke answers 202, and a logger whose lines are kept. */
function setup() {
  const lambda = new LambdaClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  const mock = mockClient(lambda);
  mock.on(InvokeCommand).resolves({ StatusCode: 202 });
  const lines: string[] = [];
  const logger = () => createJsonLogger({ clock: { now: () => 0 }, write: (line) => lines.push(line), level: 'debug' });
  const parsed = () => lines.map((line) => JSON.parse(line));
  return { lambda, mock, logger, parsed };
}

type LambdaMock = ReturnType<typeof setup>['mock'];

describe('Function: createRotationNotifier', () => {
  it('invokes every function asynchronously (InvocationType Event) with the event as payload', async () => {
    // Prepare
    const { lambda, mock, logger, parsed } = setup();
    const notifier = createRotationNotifier({ client: lambda, functionArns: [A, B], logger: logger() });

    // Act
    const result = await notifier.notify(EVENT);

    // Assess
    const calls = mock.commandCalls(InvokeCommand);
    expect(calls.map((c) => c.args[0].input.FunctionName)).toEqual([A, B]);
    for (const call of calls) {
      expect(call.args[0].input.InvocationType).toBe('Event');
      const payload = JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array));
      expect(payload).toEqual({
        type: 'clerk-machine-key-rotated',
        secretId: EVENT.secretId,
        versionId: EVENT.versionId,
        machineId: EVENT.machineId,
      });
    }
    expect(result).toEqual({ notified: [A, B], failed: [] });
    expect(parsed().filter((l) => l.level === 'warn')).toHaveLength(0);
  });

  it('invokes the functions in parallel, not one after the other', async () => {
    // Prepare
    const { lambda, mock, logger } = setup();
    let active = 0;
    let peak = 0;
    mock.on(InvokeCommand).callsFake(async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 10));
      active -= 1;
      return { StatusCode: 202 };
    });
    const notifier = createRotationNotifier({ client: lambda, functionArns: [A, B], logger: logger() });

    // Act
    await notifier.notify(EVENT);

    // Assess
    expect(peak).toBe(2);
  });

  it('logs (warn with errorCode) and counts a failure, never throws, and still notifies the others', async () => {
    // Prepare
    const { lambda, mock, logger, parsed } = setup();
    mock.on(InvokeCommand, { FunctionName: A }).rejects(awsError('AccessDeniedException'));
    const notifier = createRotationNotifier({ client: lambda, functionArns: [A, B], logger: logger() });

    // Act
    const result = await notifier.notify(EVENT);

    // Assess
    expect(result).toEqual({ notified: [B], failed: [A] });
    const warn = parsed().find((l) => l.level === 'warn');
    expect(warn).toMatchObject({
      errorCode: 'AccessDeniedException',
      outcome: 'notify-failed',
      secretArn: EVENT.secretId,
      versionId: EVENT.versionId,
      machineId: EVENT.machineId,
    });
    expect(warn.message).toContain(A);
    const metric = parsed().find((l) => l._aws !== undefined);
    expect(metric).toMatchObject({ [ROTATION_NOTIFICATION_FAILED_METRIC]: 1 });
    expect(metric._aws.CloudWatchMetrics[0].Metrics[0].Name).toBe('RotationNotificationFailed');
  });

  it.each([
    [
      'a rejected call',
      (mock: LambdaMock) => mock.on(InvokeCommand).rejects(awsError('ResourceNotFoundException')),
      'ResourceNotFoundException',
    ],
    [
      'a non-202 answer',
      (mock: LambdaMock) => mock.on(InvokeCommand).resolves({ StatusCode: 200 }),
      'UnexpectedInvokeStatus',
    ],
    [
      'a synchronous throw',
      (mock: LambdaMock) =>
        mock.on(InvokeCommand).callsFake(() => {
          throw awsError('TooManyRequestsException');
        }),
      'TooManyRequestsException',
    ],
  ])('counts %s as a failure per function', async (_name, arrange, code) => {
    // Prepare
    const { lambda, mock, logger, parsed } = setup();
    arrange(mock);
    const notifier = createRotationNotifier({ client: lambda, functionArns: [A, B], logger: logger() });

    // Act
    const result = await notifier.notify(EVENT);

    // Assess
    expect(result.failed).toEqual([A, B]);
    expect(
      parsed()
        .filter((l) => l.level === 'warn')
        .map((l) => l.errorCode),
    ).toEqual([code, code]);
    expect(parsed().filter((l) => l[ROTATION_NOTIFICATION_FAILED_METRIC] === 1)).toHaveLength(2);
  });

  it('gives up on a hanging Invoke after timeoutMs and reports it as TimeoutError', async () => {
    // Prepare
    const { lambda, mock, logger, parsed } = setup();
    mock.on(InvokeCommand).callsFake(() => new Promise(() => {}));
    const notifier = createRotationNotifier({ client: lambda, functionArns: [A], logger: logger(), timeoutMs: 20 });

    // Act
    const result = await notifier.notify(EVENT);

    // Assess
    expect(result.failed).toEqual([A]);
    expect(parsed().find((l) => l.level === 'warn')).toMatchObject({ errorCode: 'TimeoutError' });
  });

  it('does nothing without functions', async () => {
    // Prepare
    const { lambda, mock, logger } = setup();

    // Act
    const result = await createRotationNotifier({ client: lambda, functionArns: [], logger: logger() }).notify(EVENT);

    // Assess
    expect(result).toEqual({ notified: [], failed: [] });
    expect(mock.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('does not throw on an invalid event: it logs and counts it', async () => {
    // Prepare
    const { lambda, mock, logger, parsed } = setup();
    const notifier = createRotationNotifier({ client: lambda, functionArns: [A], logger: logger() });

    // Act
    const result = await notifier.notify({ ...EVENT, machineId: 'nope' });

    // Assess
    expect(result.failed).toEqual([A]);
    expect(mock.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(parsed().find((l) => l.level === 'warn')).toMatchObject({ errorCode: 'EventError' });
  });

  it('refuses a function that is not a Lambda ARN when it is created', () => {
    // Prepare
    const { lambda, logger } = setup();

    // Act + Assess
    expect(() => createRotationNotifier({ client: lambda, functionArns: ['consumer-a'], logger: logger() })).toThrow(
      ConfigError,
    );
  });
});
