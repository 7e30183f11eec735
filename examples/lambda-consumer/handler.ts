/**
 * Example: a Lambda function that calls another service with an M2M token minted from the rotated machine key.
 *
 * Environment:
 * - MACHINE_KEY_SECRET_ID        the secret holding {"machineId", "secretKey": "ak_…"} (name or ARN)
 * - CLERK_API_URL                optional; https://api.clerk.com/v1 by default (the local stack's Clerk emulator URL)
 * - DOWNSTREAM_URL               optional; called with `Authorization: Bearer <M2M token>`
 * - MACHINE_KEY_MAX_AGE_SECONDS  optional; how long a read key is reused (seconds here, converted to ms once)
 *
 * Deploy with handler `handler`: it also recognises the rotation function's `clerk-machine-key-rotated`
 * notification (add this function's ARN to ROTATION_NOTIFY_FUNCTION_ARNS) and drops its cached key.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import {
  type Clock,
  ConfigError,
  createJsonLogger,
  createM2MToken,
  createMachineKeyProvider,
  createRotationEventHandler,
  isMachineKeyRotatedEvent,
  isRotatorError,
  type Logger,
  type MachineKeyProvider,
  parseLogLevel,
  type RotationEventResult,
  systemClock,
} from 'clerk-machine-key-rotator/reader';

export const ConsumerEnvVar = {
  secretId: 'MACHINE_KEY_SECRET_ID',
  clerkApiUrl: 'CLERK_API_URL',
  downstreamUrl: 'DOWNSTREAM_URL',
  maxAgeSeconds: 'MACHINE_KEY_MAX_AGE_SECONDS',
} as const;

export interface ConsumerDeps {
  readonly secretsManager: SecretsManagerClient;
  readonly fetch: typeof fetch;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Passed to the provider (tests use it to keep the stale window inside the local stack's short overlap). */
  readonly maxStaleMs?: number;
}

export interface CallResult {
  readonly tokenId: string;
  /** The Secrets Manager version of the machine key that minted the token. */
  readonly machineKeyVersionId: string;
  readonly downstreamStatus?: number;
}

type InvocationContext = Pick<Context, 'getRemainingTimeInMillis'>;

export interface Consumer {
  readonly provider: MachineKeyProvider;
  /** The function's entry point: a rotation notification invalidates the cache, anything else makes a call. */
  handler(event: unknown, context?: InvocationContext): Promise<CallResult | RotationEventResult>;
  /** The notification handler on its own. */
  onRotation(event: unknown): Promise<RotationEventResult>;
  /** One authenticated call: mint (or reuse) an M2M token, then call DOWNSTREAM_URL with it. */
  call(context?: InvocationContext): Promise<CallResult>;
}

function required(env: ConsumerDeps['env'], name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required');
  return value;
}

/** Environment variables carry seconds, like the rotation function's; the reader takes milliseconds. */
export function parseMaxAgeMs(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value.trim());
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
    throw new ConfigError(
      ConsumerEnvVar.maxAgeSeconds,
      `must be a whole number of seconds from 1 to 86400, got ${JSON.stringify(value)}`,
    );
  }
  return seconds * 1_000;
}

/** Everything injected: tests and the local stack build one with their own clients. */
export function createConsumer(deps: ConsumerDeps): Consumer {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createJsonLogger({ clock, level: parseLogLevel(deps.env.LOG_LEVEL) });
  const apiUrl = deps.env[ConsumerEnvVar.clerkApiUrl]?.trim() || undefined;
  const downstreamUrl = deps.env[ConsumerEnvVar.downstreamUrl]?.trim() || undefined;
  const provider = createMachineKeyProvider({
    secretId: required(deps.env, ConsumerEnvVar.secretId),
    client: deps.secretsManager,
    maxAgeMs: parseMaxAgeMs(deps.env[ConsumerEnvVar.maxAgeSeconds]),
    maxStaleMs: deps.maxStaleMs,
    clock,
    logger,
  });
  const onRotation = createRotationEventHandler(provider, { logger });

  async function call(context?: InvocationContext): Promise<CallResult> {
    // Leave a second of the invocation for answering; no retry waits past it.
    const deadline = context ? clock.now() + context.getRemainingTimeInMillis() - 1_000 : undefined;
    const token = await createM2MToken({
      provider,
      fetch: deps.fetch,
      apiUrl,
      deadline,
      clock,
      logger,
      secondsUntilExpiration: 300,
      // Clerk hands back a live token with ≥ 60 s left instead of minting (and billing) a new one per invocation.
      minRemainingTtlSeconds: 60,
    });
    const result = { tokenId: token.id, machineKeyVersionId: token.machineKeyVersionId };
    if (downstreamUrl === undefined) return result;
    const response = await deps.fetch(downstreamUrl, {
      headers: { Authorization: `Bearer ${token.token.reveal()}` },
      signal: AbortSignal.timeout(5_000),
    });
    await response.body?.cancel();
    return { ...result, downstreamStatus: response.status };
  }

  return {
    provider,
    onRotation,
    call,
    async handler(event, context) {
      if (isMachineKeyRotatedEvent(event)) return onRotation(event);
      try {
        return await call(context);
      } catch (error) {
        logger.error(isRotatorError(error) ? error.message : 'call failed', {
          outcome: 'failed',
          errorCode: isRotatorError(error) ? error.code : (error as Error)?.name,
        });
        throw error;
      }
    },
  };
}

let consumer: Consumer | undefined;

/** Lambda entry point: the clients and the cache live as long as the execution environment. */
export const handler = (event: unknown, context: InvocationContext) => {
  consumer ??= createConsumer({
    secretsManager: new SecretsManagerClient({}),
    fetch: globalThis.fetch,
    env: process.env,
  });
  return consumer.handler(event, context);
};

/** The notification handler alone, for a function whose handler setting points here. */
export const onRotation = (event: unknown) => {
  consumer ??= createConsumer({
    secretsManager: new SecretsManagerClient({}),
    fetch: globalThis.fetch,
    env: process.env,
  });
  return consumer.onRotation(event);
};
