import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CliErrorCode } from '../../lib/cli/errors.ts';
import { ErrorCode } from '../../lib/errors.ts';

describe('docs/runbook.md', () => {
  it('has an entry (### CODE, so the anchor is #code) for every error code the function and the CLI emit', () => {
    const runbook = readFileSync(new URL('../../docs/runbook.md', import.meta.url), 'utf8');
    const headings = new Set([...runbook.matchAll(/^### ([A-Za-z_]+)$/gm)].map((m) => m[1]));
    const codes = [...Object.values(ErrorCode), ...Object.values(CliErrorCode)];
    expect(codes.filter((code) => !headings.has(code))).toEqual([]);
  });
});
