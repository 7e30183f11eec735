import type { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSecretStore } from '../lib/aws/createSecretStore.ts';
import { type Clock, realSleep, type Sleep, systemClock } from '../lib/Clock.ts';
import { createClerkClient } from '../lib/clerk/ClerkClient.ts';
import { EventError, isRotatorError } from '../lib/errors.ts';
import { createFunctionLogger } from '../lib/Logger.ts';
import { createRatePacer } from '../lib/verification/createRatePacer.ts';
import {
  runVerification,
  type VerificationCursor,
  type VerificationRunSummary,
} from '../lib/verification/runVerification.ts';
import { parseVerificationSettings } from '../lib/verification/verificationSettings.ts';
import type { RotationHandlerContext } from './rotate.ts';

export interface VerifyHandlerDeps {
  readonly secretsManager: SecretsManagerClient;
  readonly fetch: typeof fetch;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Hands the rest of a run to another invocation; the default invokes this function asynchronously. */
  readonly continueRun?: (functionArn: string, cursor: VerificationCursor) => Promise<void>;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly writeLog?: (line: string) => void;
  /** Time kept back for the secrets in flight and the summary when the run hands on. @default 30000 */
  readonly safetyMarginMs?: number;
}

export type VerifyHandler = (event: unknown, context: RotationHandlerContext) => Promise<VerificationRunSummary>;

/** The scheduled event carries nothing we use; a continuation carries where the previous invocation stopped. */
export function parseVerifyEvent(event: unknown): VerificationCursor | undefined {
  if (typeof event !== 'object' || event === null || !('continuation' in event)) return undefined;
  const cursor = (event as { continuation?: unknown }).continuation;
  const { pageToken, skip, resumeAt } = (cursor ?? {}) as { pageToken?: unknown; skip?: unknown; resumeAt?: unknown };
  const valid =
    (pageToken === undefined || typeof pageToken === 'string') &&
    Number.isInteger(skip) &&
    (skip as number) >= 0 &&
    (resumeAt === undefined || (typeof resumeAt === 'number' && Number.isFinite(resumeAt)));
  if (!valid) {
    throw new EventError(
      'continuation must be {"pageToken"?: string, "skip": whole number ≥ 0, "resumeAt"?: epoch milliseconds}',
    );
  }
  return {
    pageToken: pageToken as string | undefined,
    skip: skip as number,
    ...(resumeAt === undefined ? {} : { resumeAt: resumeAt as number }),
  };
}

async function invokeAsync(client: () => Promise<LambdaClient>, functionArn: string, cursor: VerificationCursor) {
  const { InvokeCommand } = await import('@aws-sdk/client-lambda');
  await (await client()).send(
    new InvokeCommand({
      FunctionName: functionArn,
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify({ continuation: cursor })),
    }),
  );
}

/** Wires the real clients to the verification. Everything is injected so tests and the local stack reuse it. */
export function createVerifyHandler(deps: VerifyHandlerDeps): VerifyHandler {
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? realSleep;
  const { forInvocation } = createFunctionLogger({ clock, write: deps.writeLog, env: deps.env });
  const store = createSecretStore(deps.secretsManager);
  let lambda: Promise<LambdaClient> | undefined;
  // The Lambda client is loaded only when a run has to hand on: most runs never do.
  const lambdaClient = () => {
    lambda ??= import('@aws-sdk/client-lambda').then(({ LambdaClient }) => new LambdaClient({}));
    return lambda;
  };
  const continueRun = deps.continueRun ?? ((arn, cursor) => invokeAsync(lambdaClient, arn, cursor));
  return async (event, context) => {
    const logger = forInvocation(context).child({ step: 'verify' });
    try {
      const settings = parseVerificationSettings(deps.env);
      const start = parseVerifyEvent(event);
      const clerk = createClerkClient({
        fetch: deps.fetch,
        apiUrl: settings.functionSettings.clerkApiUrl,
        clock,
        sleep,
      });
      const perSecond = (settings.clerkRateLimitPer10Seconds * settings.clerkRateShare) / 10;
      return await runVerification(
        {
          store,
          clerk,
          clock,
          logger,
          pacer: createRatePacer({ perSecond, clock, sleep, notBefore: start?.resumeAt }),
          functionSettings: settings.functionSettings,
          pendingStuckAfterSeconds: settings.pendingStuckAfterSeconds,
          heal: settings.heal,
          instanceKeys: new Map(),
        },
        {
          rotationFunctionArn: settings.rotationFunctionArn,
          start,
          deadline: clock.now() + context.getRemainingTimeInMillis() - (deps.safetyMarginMs ?? 30_000),
          continueLater: (cursor) => continueRun(context.invokedFunctionArn, cursor),
        },
      );
    } catch (error) {
      logger.error(isRotatorError(error) ? error.message : `unexpected error: ${(error as Error)?.name ?? 'unknown'}`, {
        outcome: 'failed',
        errorCode: isRotatorError(error) ? error.code : 'UNEXPECTED',
      });
      throw error;
    }
  };
}

let defaultHandler: VerifyHandler | undefined;

/** The Lambda entry point, scheduled by the construct: clients are created once per container. */
export const handler: VerifyHandler = (event, context) => {
  defaultHandler ??= createVerifyHandler({
    secretsManager: new SecretsManagerClient({}),
    fetch: globalThis.fetch,
    env: process.env,
  });
  return defaultHandler(event, context);
};
