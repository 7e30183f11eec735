import type { ClerkTransportOptions } from '../clerk/sendClerkRequest.ts';
import { Defaults, EnvVar } from '../constants.ts';
import { parseClerkApiUrl } from '../parseClerkApiUrl.ts';

/** The transport options of the reader's Clerk helpers: like the rotation's, with `fetch` and `apiUrl` optional. */
export interface ReaderClerkOptions extends Omit<ClerkTransportOptions, 'fetch'> {
  /** @default the global `fetch` (looked up at each call, so a runtime's or a test's replacement is used) */
  readonly fetch?: typeof fetch;
  /**
   * Clerk's API; wins over CLERK_API_URL in `env`. https, or http only to a loopback host (the local stack).
   * @default env.CLERK_API_URL, then https://api.clerk.com/v1
   */
  readonly apiUrl?: string;
  /** Where CLERK_API_URL is read when `apiUrl` is not given. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

const globalFetch: typeof fetch = (input, init) => globalThis.fetch(input, init);

/**
 * Resolves Clerk's URL the way the CLI does — the option, then CLERK_API_URL, then the default — and validates it
 * before anything is read or sent (ConfigError CONFIG_INVALID naming CLERK_API_URL).
 */
export function resolveClerkTransport(options: ReaderClerkOptions): ClerkTransportOptions {
  const env = options.env ?? process.env;
  const apiUrl = nonEmpty(options.apiUrl) ?? nonEmpty(env[EnvVar.clerkApiUrl]) ?? Defaults.clerkApiUrl;
  return { ...options, fetch: options.fetch ?? globalFetch, apiUrl: parseClerkApiUrl(apiUrl, EnvVar.clerkApiUrl) };
}
