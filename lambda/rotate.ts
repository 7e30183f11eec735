import type { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSecretStore } from '../lib/aws/createSecretStore.ts';
import { type Clock, realSleep, type Sleep, systemClock } from '../lib/Clock.ts';
import { createClerkClient } from '../lib/clerk/ClerkClient.ts';
import { defaultRetryOptions, type RetryOptions } from '../lib/clerk/retryPolicy.ts';
import { EnvVar } from '../lib/constants.ts';
import type { StepOutcome } from '../lib/core/RotationContext.ts';
import { parseFunctionSettings } from '../lib/core/rotationSettings.ts';
import { runRotationStep } from '../lib/core/runRotationStep.ts';
import { createFunctionLogger } from '../lib/Logger.ts';
import type { RotationNotifier } from '../lib/notify/createRotationNotifier.ts';
import { parseNotifyFunctionArns } from '../lib/notify/parseNotifyFunctionArns.ts';

/** The event Secrets Manager sends; @types/aws-lambda's lacks RotationToken. */
export interface SecretsManagerRotationEvent {
  Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
  SecretId: string;
  ClientRequestToken: string;
  RotationToken?: string;
}

export interface RotationHandlerDeps {
  readonly secretsManager: SecretsManagerClient;
  readonly fetch: typeof fetch;
  /** For rotation notifications; created on first use when ROTATION_NOTIFY_FUNCTION_ARNS is set. */
  readonly lambda?: () => LambdaClient;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly writeLog?: (line: string) => void;
  /** Per-request timeout towards Clerk. @default 5000 */
  readonly clerkRequestTimeoutMs?: number;
  /** Backoff of the Clerk retry policy; tests shorten it. */
  readonly clerkRetry?: Partial<RetryOptions>;
  /** Time kept back from the Lambda's remaining time for logging and returning. @default 3000 */
  readonly safetyMarginMs?: number;
}

/** What the handler uses of the Lambda context: @types/aws-lambda's `Context` fits, without users needing it. */
export interface RotationHandlerContext {
  readonly invokedFunctionArn: string;
  /** Written on every log line of the invocation. */
  readonly awsRequestId?: string;
  getRemainingTimeInMillis(): number;
}

export type RotationHandler = (
  event: SecretsManagerRotationEvent | unknown,
  context: RotationHandlerContext,
) => Promise<StepOutcome>;

const DEFAULT_CLERK_REQUEST_TIMEOUT_MS = 5_000;

/** Wires the real clients to the rotation core. Everything is injected so tests and the local stack reuse it. */
export function createRotationHandler(deps: RotationHandlerDeps): RotationHandler {
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? realSleep;
  const { logger, forInvocation } = createFunctionLogger({ clock, write: deps.writeLog, env: deps.env });
  const store = createSecretStore(deps.secretsManager);
  let notifier: Promise<RotationNotifier> | undefined;
  // The Lambda client serves only notifications: loaded on first use, so a function without
  // ROTATION_NOTIFY_FUNCTION_ARNS never loads @aws-sdk/client-lambda (nor pays for it at cold start).
  const notifierFor = (arns: readonly string[]): Promise<RotationNotifier> | undefined => {
    if (arns.length === 0) return undefined;
    notifier ??= import('../lib/notify/createLambdaRotationNotifier.ts').then(({ createLambdaRotationNotifier }) =>
      createLambdaRotationNotifier({ client: deps.lambda?.(), functionArns: arns, logger }),
    );
    return notifier;
  };

  return async (event, context) => {
    const invocationLogger = forInvocation(context);
    const deadline = clock.now() + context.getRemainingTimeInMillis() - (deps.safetyMarginMs ?? 3_000);
    let functionSettings: ReturnType<typeof parseFunctionSettings>;
    let notifier: RotationNotifier | undefined;
    try {
      functionSettings = parseFunctionSettings(deps.env);
      notifier = await notifierFor(parseNotifyFunctionArns(deps.env[EnvVar.notifyFunctionArns]));
    } catch (error) {
      invocationLogger.error((error as Error).message, { outcome: 'failed', errorCode: 'CONFIG_INVALID' });
      throw error;
    }
    const clerk = createClerkClient({
      fetch: deps.fetch,
      apiUrl: functionSettings.clerkApiUrl,
      clock,
      sleep,
      deadline,
      retry: deps.clerkRetry,
      requestTimeoutMs: deps.clerkRequestTimeoutMs ?? DEFAULT_CLERK_REQUEST_TIMEOUT_MS,
    });
    return runRotationStep(
      { store, clerk, clock, sleep, logger: invocationLogger, notifier },
      {
        event,
        invokedFunctionArn: context.invokedFunctionArn,
        functionSettings,
        deadline,
        clerkTiming: {
          clerkRequestTimeoutMs: deps.clerkRequestTimeoutMs ?? DEFAULT_CLERK_REQUEST_TIMEOUT_MS,
          maxRetryAfterMs: deps.clerkRetry?.maxRetryAfterMs ?? defaultRetryOptions.maxRetryAfterMs,
        },
      },
    );
  };
}

let defaultHandler: RotationHandler | undefined;

/** The Lambda entry point: clients are created once per container, on the first invocation. */
export const handler: RotationHandler = (event, context) => {
  defaultHandler ??= createRotationHandler({
    secretsManager: new SecretsManagerClient({}),
    fetch: globalThis.fetch,
    env: process.env,
  });
  return defaultHandler(event, context);
};
