import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createSecretStore } from '../aws/createSecretStore.ts';
import { type Clock, realSleep, type Sleep } from '../Clock.ts';
import { type ClerkMachineApi, createClerkClient } from '../clerk/ClerkClient.ts';
import { Defaults, EnvVar } from '../constants.ts';
import { type FunctionSettings, parseFunctionSettings } from '../core/rotationSettings.ts';
import type { SecretStore } from '../core/SecretStore.ts';
import { parseClerkApiUrl } from '../parseClerkApiUrl.ts';
import { CliEnvVar } from './CliDefaults.ts';
import type { AwsClientConfig, CliDeps } from './CliDeps.ts';
import { createOperatorCalls, type OperatorCalls } from './createOperatorCalls.ts';
import { createOutput, type Output, shouldUseColor } from './createOutput.ts';

/** The global options, as commander parses them. */
export interface GlobalOptions {
  readonly region?: string;
  readonly profile?: string;
  readonly endpointUrl?: string;
  readonly clerkApiUrl?: string;
  readonly json?: boolean;
  /** `--no-color` sets it to false. */
  readonly color?: boolean;
}

/** What a command runs with: output, time, and the two services, created on first use and closed after the run. */
export interface CliContext {
  readonly output: Output;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signal: AbortSignal | undefined;
  readonly isTTY: CliDeps['isTTY'];
  readonly stdin: CliDeps['stdin'];
  readonly awsConfig: AwsClientConfig;
  readonly clerkApiUrl: string;
  /** A file of the rotation function's log lines (CLERK_ROTATOR_FUNCTION_LOG), read to explain a failed rotation. */
  readonly functionLogPath: string | undefined;
  /** Secrets Manager through the one adapter (lib/aws/createSecretStore.ts). */
  store(): SecretStore;
  /** The calls only an operator makes (create a secret, write AWSCURRENT, configure rotation). */
  operatorCalls(): OperatorCalls;
  clerk(): ClerkMachineApi;
  /**
   * The rotation function's settings as far as the CLI can know them: read from the CLI's own environment the way
   * the function reads its own (landing horizon, instance-key secret, previous-key TTL…), with the CLI's Clerk URL.
   */
  functionSettings(): FunctionSettings;
  close(): void;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The output for a run: JSON or lines, colour per the options, the terminal and NO_COLOR. */
export function createOutputFor(globals: GlobalOptions, deps: CliDeps): Output {
  return createOutput({
    stdout: deps.stdout,
    stderr: deps.stderr,
    json: globals.json === true,
    color: shouldUseColor({ colorOption: globals.color !== false, stdoutIsTTY: deps.isTTY.stdout, env: deps.env }),
  });
}

export function createCliContext(globals: GlobalOptions, deps: CliDeps, output: Output): CliContext {
  const { env } = deps;
  const region = nonEmpty(globals.region) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const profile = nonEmpty(globals.profile) ?? nonEmpty(env.AWS_PROFILE);
  const endpoint =
    nonEmpty(globals.endpointUrl) ?? nonEmpty(env.AWS_ENDPOINT_URL_SECRETS_MANAGER) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  const awsConfig: AwsClientConfig = {
    ...(region === undefined ? {} : { region }),
    ...(profile === undefined ? {} : { profile }),
    ...(endpoint === undefined ? {} : { endpoint }),
  };
  // Validated now so a bad URL is a usage error before anything is read or changed.
  const clerkApiUrl =
    nonEmpty(globals.clerkApiUrl) === undefined
      ? parseClerkApiUrl(nonEmpty(env[EnvVar.clerkApiUrl]) ?? Defaults.clerkApiUrl, EnvVar.clerkApiUrl)
      : parseClerkApiUrl(nonEmpty(globals.clerkApiUrl) ?? '', '--clerk-api-url');
  const sleep = deps.sleep ?? realSleep;

  let client: SecretsManagerClient | undefined;
  const sdkClient = () => {
    client ??= deps.createSecretsManagerClient(awsConfig);
    return client;
  };
  let store: SecretStore | undefined;
  let operatorCalls: OperatorCalls | undefined;
  let clerk: ClerkMachineApi | undefined;
  let settings: FunctionSettings | undefined;
  return {
    output,
    clock: deps.clock,
    sleep,
    env,
    signal: deps.signal,
    isTTY: deps.isTTY,
    stdin: deps.stdin,
    awsConfig,
    clerkApiUrl,
    functionLogPath: nonEmpty(env[CliEnvVar.functionLog]),
    store() {
      store ??= createSecretStore(sdkClient());
      return store;
    },
    operatorCalls() {
      operatorCalls ??= createOperatorCalls(sdkClient());
      return operatorCalls;
    },
    clerk() {
      clerk ??= createClerkClient({ fetch: deps.fetch, apiUrl: clerkApiUrl, clock: deps.clock, sleep });
      return clerk;
    },
    functionSettings() {
      settings ??= parseFunctionSettings({ ...env, [EnvVar.clerkApiUrl]: clerkApiUrl });
      return settings;
    },
    close() {
      client?.destroy();
    },
  };
}
