import { INSTANCE_KEY_PREFIXES } from '../constants.ts';
import type { Redacted } from '../Redacted.ts';
import { assertMachineKey, parseInstanceKeySecret } from '../secretFormat.ts';

/**
 * Checks a key before it goes into an Authorization header, with the package's own key parsers: an instance key
 * (`sk_live_…`, `sk_test_…`) through parseInstanceKeySecret (INSTANCE_KEY_INVALID), anything else as a machine key
 * through assertMachineKey (SECRET_FORMAT_INVALID). A key with characters a key cannot contain is refused here, as a
 * typed error that never quotes it — never sent, so never a network error whose message quotes the header.
 */
export function assertClerkKey(key: Redacted, where: string): Redacted {
  const value = key.reveal();
  if (INSTANCE_KEY_PREFIXES.some((prefix) => value.startsWith(prefix))) return parseInstanceKeySecret(value, where);
  return assertMachineKey(value, where);
}
