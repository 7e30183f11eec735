/**
 * Unit: the one function every printed string goes through (safeText), its JSON form, and the renderer that applies
 * them — no process, no emulator.
 */
import { describe, expect, it } from 'vitest';
import { createOutput, tone } from '../../lib/cli/createOutput.ts';
import { ExitCode } from '../../lib/cli/ExitCode.ts';
import { MAX_JSON_STRING_LENGTH, MAX_TEXT_LENGTH, safeDocument, safeText } from '../../lib/cli/safeText.ts';

const FAKE_KEY = 'ak_FAKEfake0123456789fakeFAKE';

function capture(json: boolean, color = false) {
  const streams = { stdout: '', stderr: '' };
  const output = createOutput({
    json,
    color,
    stdout: { write: (chunk: string) => (streams.stdout += chunk) },
    stderr: { write: (chunk: string) => (streams.stderr += chunk) },
  });
  return { output, streams };
}

describe('Function: safeText', () => {
  it.each([
    ['CSI (erase line, colour)', 'a\u001b[2Kb\u001b[1;31mc\u001b[0m', 'abc'],
    ['OSC title ended by BEL', 'a\u001b]0;pwned\u0007b', 'ab'],
    ['OSC 8 hyperlink ended by ST', '\u001b]8;;https://evil.example/\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['8-bit CSI and OSC', 'a\u009b2Jb\u009d0;t\u009cc', 'abc'],
    ['CR, LF and TAB become one space', 'a\r\n\tb', 'a b'],
    ['BEL, DEL, NUL and other C0/C1', 'a\u0007\u007f\u0000\u0085b\u0090', 'a b'],
    ['bidi overrides and isolates', 'a\u202eb\u2066c\u2069', 'abc'],
    ['a lone surrogate', 'a\ud800b', 'a\ufffdb'],
  ])('removes %s', (_, input, expected) => {
    expect(safeText(input)).toBe(expected);
  });

  it('cuts to the cap with an ellipsis, never through a surrogate pair', () => {
    expect(safeText('x'.repeat(MAX_TEXT_LENGTH))).toHaveLength(MAX_TEXT_LENGTH);
    expect(safeText('x'.repeat(MAX_TEXT_LENGTH + 1))).toBe(`${'x'.repeat(MAX_TEXT_LENGTH - 1)}…`);
    expect(safeText('ab😀c', 4)).toBe('ab…');
    expect(safeText('plain text, untouched: mch_2xhF / arn:aws:secretsmanager:…')).toBe(
      'plain text, untouched: mch_2xhF / arn:aws:secretsmanager:…',
    );
  });
});

describe('Function: safeDocument', () => {
  it('makes every string of a document safe and keeps its written form within the JSON cap', () => {
    const document = safeDocument({
      code: '\u001b[2KX',
      nested: [{ trace: '"'.repeat(5_000) }],
      count: 3,
      none: null,
      skipped: undefined,
    }) as { code: string; nested: { trace: string }[]; count: number; none: null };

    expect(document.code).toBe('X');
    expect(JSON.stringify(document.nested[0]?.trace).length - 2).toBeLessThanOrEqual(MAX_JSON_STRING_LENGTH);
    expect(document.nested[0]?.trace.endsWith('…')).toBe(true);
    expect(document).toMatchObject({ count: 3, none: null });
    expect('skipped' in document).toBe(false);
  });
});

describe('Function: createOutput', () => {
  it('prints outside text as data: no control, one line, within the cap, keys redacted even when split by escapes', () => {
    const { output, streams } = capture(false);

    output.line('error: ', `\u001b[2K\r  ok    verified\n${'X'.repeat(3_000)}`);
    output.message(`key ak_\u001b[0m${FAKE_KEY.slice(3)}`);

    const lines = streams.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error: {4}ok {4}verified X+…$/);
    expect(lines[0]).toHaveLength(MAX_TEXT_LENGTH);
    expect(streams.stderr).toBe('key [redacted]\n');
  });

  it('colours toned segments only, after making them safe; reveals only a revealed segment', () => {
    const { output, streams } = capture(false, true);

    output.line(tone.ok('fine\u001b[31m'), ' plain ', { revealed: FAKE_KEY }, ` ${FAKE_KEY}`);

    expect(streams.stdout).toBe(`\u001b[32mfine\u001b[0m plain ${FAKE_KEY} [redacted]\n`);
  });

  it('renders a report as lines, or as one safe JSON document with --json; messages go to stderr either way', () => {
    const view = {
      exitCode: ExitCode.failed,
      lines: ['text line'],
      messages: ['error [X]: \u001b]0;t\u0007why'],
      document: { ok: false, message: 'why\r\u001b[1Aok', key: FAKE_KEY },
    };
    const text = capture(false);
    const json = capture(true);

    expect(text.output.render(view)).toBe(ExitCode.failed);
    expect(json.output.render(view)).toBe(ExitCode.failed);
    json.output.line('progress is not printed with --json');

    expect(text.streams).toEqual({ stdout: 'text line\n', stderr: 'error [X]: why\n' });
    expect(json.streams.stderr).toBe('error [X]: why\n');
    expect(JSON.parse(json.streams.stdout)).toEqual({ ok: false, message: 'why ok', key: '[redacted]' });
  });
});
