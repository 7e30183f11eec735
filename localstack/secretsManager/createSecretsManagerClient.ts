import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';

export interface EmulatorClientOptions {
  /** SDK attempts per call, first try included. @default 3 (the SDK's default) */
  readonly maxAttempts?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Per-request socket timeout; lost-response tests need one. @default none (the SDK's default) */
  readonly requestTimeoutMs?: number;
  /** Anything else for the client (retryStrategy, logger, …). Endpoint and credentials are set here. */
  readonly config?: Omit<SecretsManagerClientConfig, 'endpoint' | 'credentials'>;
}

/** Dummy credentials: the emulator (and moto) require an Authorization header but do not check the signature. */
const DUMMY_CREDENTIALS = { accessKeyId: 'AKIAEMULATOREXAMPLE', secretAccessKey: 'emulator-secret-access-key' };

/**
 * A real `SecretsManagerClient` pointed at an emulator (ours or moto): region us-east-1, dummy credentials, the
 * SDK's own retry behaviour with a configurable `maxAttempts`.
 */
export const createSecretsManagerClient = (
  target: string | { readonly endpoint: string },
  options: EmulatorClientOptions = {},
): SecretsManagerClient =>
  new SecretsManagerClient({
    region: options.region ?? 'us-east-1',
    ...options.config,
    endpoint: typeof target === 'string' ? target : target.endpoint,
    credentials: DUMMY_CREDENTIALS,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.requestTimeoutMs !== undefined
      ? { requestHandler: { requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true } }
      : {}),
  });
