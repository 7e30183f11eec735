import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import * as esbuild from 'esbuild';
import { FUNCTION_FILE, FUNCTIONS_OUT_DIR, functionBuildOptions } from './functionBuildOptions.ts';

/** Folder of the function entries: every `lambda/<name>.ts` that exports `handler` becomes a function. */
export const FUNCTIONS_SOURCE_DIR = 'lambda';

export interface BuiltFunction {
  /** `rotate` for `lambda/rotate.ts`. */
  readonly name: string;
  readonly entry: string;
  /** Repository-relative path of the bundle, `dist/functions/<name>/index.mjs`. */
  readonly outfile: string;
  readonly bytes: number;
  readonly mapBytes: number;
}

async function listEntries(root: string): Promise<string[]> {
  const files = await readdir(join(root, FUNCTIONS_SOURCE_DIR));
  return files
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.test.ts'))
    .sort()
    .map((file) => `${FUNCTIONS_SOURCE_DIR}/${file}`);
}

/**
 * Bundles every Lambda entry that exports `handler` into `dist/functions/<name>/index.mjs` (+ `index.mjs.map`).
 * Entries without a `handler` export (helpers beside the functions) are skipped; no entry at all is an error.
 */
export async function buildFunctions(root: string): Promise<BuiltFunction[]> {
  const built: BuiltFunction[] = [];
  for (const entry of await listEntries(root)) {
    const name = basename(entry, '.ts');
    const outfile = `${FUNCTIONS_OUT_DIR}/${name}/${FUNCTION_FILE}`;
    const result = await esbuild.build({
      ...functionBuildOptions({ entry, outfile }),
      absWorkingDir: root,
      write: false,
    });
    const output = result.metafile?.outputs[outfile];
    if (output === undefined) throw new Error(`esbuild produced no ${outfile} for ${entry}`);
    if (!output.exports.includes('handler')) continue;
    await mkdir(join(root, dirname(outfile)), { recursive: true });
    let bytes = 0;
    let mapBytes = 0;
    for (const file of result.outputFiles) {
      await writeFile(file.path, file.contents);
      if (file.path.endsWith('.map')) mapBytes = file.contents.byteLength;
      else bytes = file.contents.byteLength;
    }
    built.push({ name, entry, outfile, bytes, mapBytes });
  }
  if (built.length === 0) throw new Error(`no entry in ${FUNCTIONS_SOURCE_DIR}/ exports a handler`);
  return built;
}
