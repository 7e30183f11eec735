/**
 * The examples are meant to be copied into an app, so they import this package by name
 * (`clerk-machine-key-rotator/reader`, …) and never reach into lib/, lambda/ or infra/. The tests still run them
 * against the sources through the package's own export condition (vitest.config.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../consumer/consumerProject.ts';

const IMPORT = /^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"]([^'"]+)['"]/gm;

async function exampleFiles(): Promise<string[]> {
  const entries = await readdir(join(REPO_ROOT, 'examples'), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('Examples: imports', () => {
  it('import the package by name, never its lib/, lambda/ or infra/ folders', async () => {
    // Prepare
    const files = await exampleFiles();
    const specifiers: string[] = [];
    for (const file of files) {
      for (const match of (await readFile(file, 'utf8')).matchAll(IMPORT)) specifiers.push(match[1] as string);
    }

    // Assess
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(specifiers).toEqual(expect.arrayContaining(['clerk-machine-key-rotator/reader']));
    expect(specifiers.filter((specifier) => /(?:^|\/)(?:lib|lambda|infra)\//.test(specifier))).toEqual([]);
  });
});
