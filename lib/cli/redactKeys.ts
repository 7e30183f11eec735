const KEY_PATTERN = /\b(?:ak|sk_test|sk_live)_[A-Za-z0-9]{8,}/g;

/**
 * The last line of defence: whatever the CLI writes passes through this, so a key that slipped into a message (an
 * SDK error, a value echoed by mistake) is printed as `[redacted]`. Only `init --show-key` bypasses it.
 */
export function redactKeys(text: string): string {
  return text.replace(KEY_PATTERN, '[redacted]');
}
