/**
 * `npm run build` (and `prepack`): the package as it ships, into dist/.
 *
 *   dist/{index,reader,notify,cdk}.{js,cjs,d.ts,d.cts}   the entry points, ESM and CommonJS (tsup)
 *   dist/functions/<name>/index.mjs (+ .map)            each Lambda entry in lambda/ exporting `handler` (esbuild)
 *   dist/bin/clerk-rotator.mjs                          the operator CLI (esbuild)
 *
 * Decisions: docs/decisions/010-build-and-package.md. The summary goes to stderr: `npm pack --json` owns stdout.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildCli } from './build/buildCli.ts';
import { buildFunctions } from './build/buildFunctions.ts';
import { buildLibrary } from './build/buildLibrary.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

await rm(`${root}/dist`, { recursive: true, force: true });
await buildLibrary(root);
const functions = await buildFunctions(root);
const cli = await buildCli(root);
for (const fn of functions) {
  process.stderr.write(`${fn.outfile}  ${kB(fn.bytes)} (map ${kB(fn.mapBytes)})  from ${fn.entry}\n`);
}
process.stderr.write(`${cli.outfile}  ${kB(cli.bytes)}\n`);
