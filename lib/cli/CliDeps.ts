import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock, Sleep } from '../Clock.ts';

/** Where the CLI writes: process.stdout/stderr in main.ts, a buffer in tests. */
export interface TextSink {
  write(chunk: string): unknown;
}

/** What the global options (or the environment) say about reaching Secrets Manager. */
export interface AwsClientConfig {
  readonly region?: string;
  readonly profile?: string;
  /** The Secrets Manager endpoint, e.g. the local stack's. */
  readonly endpoint?: string;
}

/** Everything the CLI touches outside itself; main.ts wires the process's, tests their own. */
export interface CliDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  /** Read only for the confirmation of `rotate --emergency`. */
  readonly stdin: NodeJS.ReadableStream;
  /** Whether stdin (a confirmation can be typed) and stdout (colour) are terminals. */
  readonly isTTY: { readonly stdin: boolean; readonly stdout: boolean };
  readonly createSecretsManagerClient: (config: AwsClientConfig) => SecretsManagerClient;
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  /** @default setTimeout */
  readonly sleep?: Sleep;
  /** Aborted on Ctrl-C: waits stop, an emergency rotation restores its tags, the exit code is 130. */
  readonly signal?: AbortSignal;
}
