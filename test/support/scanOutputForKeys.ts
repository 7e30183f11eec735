import { inspect } from 'node:util';
import { afterAll, expect } from 'vitest';
import { KEY_SHAPE_SOURCE } from './keyShape.ts';

/**
 * Suite-wide guard (a vitest setup file): everything any test file prints — the rotation function's log lines when
 * not captured, emulator output, console calls, error messages that reach the output — is scanned for anything
 * shaped like a Clerk key. Per-test checks compare against the exact keys issued; this catches what they miss.
 */
const KEY_SHAPED = new RegExp(KEY_SHAPE_SOURCE, 'g');
const leaks: string[] = [];

function scan(where: string, value: unknown): void {
  const text =
    typeof value === 'string' ? value : value instanceof Uint8Array ? Buffer.from(value).toString() : String(value);
  for (const match of text.matchAll(KEY_SHAPED)) leaks.push(`${where}: ${match[0].slice(0, 8)}…`);
}

for (const [name, stream] of [
  ['stdout', process.stdout],
  ['stderr', process.stderr],
] as const) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    scan(name, chunk);
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
    // An error is scanned as util.inspect shows it: message, stack, cause chain and every property.
    for (const arg of args) scan(`console.${method}`, arg instanceof Error ? inspect(arg, { depth: 10 }) : arg);
    original(...args);
  };
}

afterAll(() => {
  expect(leaks, 'key-shaped values were printed (shown cut to 8 characters)').toEqual([]);
});
