import { EnvVar } from './constants.ts';
import { describeValue } from './describeValue.ts';
import { ConfigError } from './errors.ts';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Validates Clerk's base URL: https, or http only to a loopback host (the local stack); no credentials, query or
 * fragment. Returns it without a trailing slash.
 */
export function parseClerkApiUrl(value: string, setting: string = EnvVar.clerkApiUrl): string {
  const allowed =
    'an https URL such as https://api.clerk.com/v1, or http:// to a loopback host (localhost, 127.0.0.1, [::1])';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(setting, `must be ${allowed}; got ${describeValue(value)}, which is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new ConfigError(setting, `must be ${allowed}; got ${describeValue(`${url.protocol}//${url.host}`)}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConfigError(setting, `must be ${allowed} without credentials, query or fragment`);
  }
  return url.href.replace(/\/+$/, '');
}
