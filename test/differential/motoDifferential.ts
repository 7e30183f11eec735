import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll } from 'vitest';
import {
  createSecretsManagerClient,
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from '../../localstack/secretsManager/index.ts';
import { findMotoServer, type MotoServer, startMotoServer } from '../support/motoServer.ts';

/** Where moto_server is, or undefined (the differential suites then skip, saying why). */
export const motoPath = findMotoServer();

/** Warns once per suite that it is skipped, with what to install. */
export const warnWhenMotoMissing = (suite: string): void => {
  if (motoPath !== undefined) return;
  console.warn(
    `[${suite}] skipped: moto_server is neither on PATH nor in ~/.pyenv/shims (install moto[server] to run the differential suite).`,
  );
};

type Outcome<T> = { readonly ok: T } | { readonly error: string };

/** A call's observable outcome: its (normalised) result or its error name. */
export const attempt = async <T, R = T>(promise: Promise<T>, pick?: (value: T) => R): Promise<Outcome<R>> => {
  try {
    const value = await promise;
    return { ok: pick ? pick(value) : (value as unknown as R) };
  } catch (error) {
    return { error: (error as Error).name };
  }
};

export const errorName = async (promise: Promise<unknown>): Promise<string> => {
  const outcome = await attempt(promise);
  return 'error' in outcome ? outcome.error : 'no error';
};

export interface BothServices {
  /** Runs one scenario against both services (same secret name on each) and returns both transcripts. */
  onBoth<T>(scenario: (client: SecretsManagerClient, name: string) => Promise<T>): Promise<{ ours: T; moto: T }>;
  /** Our emulator, for assertions on its own state. */
  emulator(): SecretsManagerEmulator;
  /** Whether a scenario's client is the one pointed at our emulator (for the few steps that must differ). */
  isEmulatorClient(client: SecretsManagerClient): boolean;
}

/**
 * Starts moto_server and our emulator for the enclosing describe block (beforeAll/afterAll) and gives each scenario a
 * fresh secret name under `diff/<run>/`.
 */
export const useBothServices = (options: { readonly seed: number }): BothServices => {
  let moto: MotoServer | undefined;
  let emulator: SecretsManagerEmulator | undefined;
  let ours: SecretsManagerClient | undefined;
  let theirs: SecretsManagerClient | undefined;
  let counter = 0;
  const run = Date.now().toString(36);

  beforeAll(async () => {
    [moto, emulator] = await Promise.all([
      startMotoServer(motoPath ?? ''),
      startSecretsManagerEmulator({ seed: options.seed }),
    ]);
    ours = emulator.createClient({ maxAttempts: 1 });
    theirs = createSecretsManagerClient(moto.endpoint, { maxAttempts: 1 });
  }, 60_000);

  afterAll(async () => {
    ours?.destroy();
    theirs?.destroy();
    await Promise.all([moto?.stop(), emulator?.close()]);
  });

  return {
    onBoth: async (scenario) => {
      if (ours === undefined || theirs === undefined) throw new Error('both services must be started first');
      const name = `diff/${run}/${++counter}`;
      const [oursResult, motoResult] = await Promise.all([scenario(ours, name), scenario(theirs, name)]);
      return { ours: oursResult, moto: motoResult };
    },
    emulator: () => {
      if (emulator === undefined) throw new Error('the emulator must be started first');
      return emulator;
    },
    isEmulatorClient: (client) => client === ours,
  };
};
