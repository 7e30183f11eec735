import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { ESM_REQUIRE_BANNER } from './functionBuildOptions.ts';

export const CLI_ENTRY = 'lib/cli/main.ts';
/** The `clerk-rotator` bin: one ES module with commander inside, so that commander is no runtime dependency. */
export const CLI_OUTFILE = 'dist/bin/clerk-rotator.mjs';

/** Bundles the operator CLI; `@aws-sdk/*` stays external (the package depends on the Secrets Manager client). */
export async function buildCli(root: string): Promise<{ outfile: string; bytes: number }> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [CLI_ENTRY],
    outfile: CLI_OUTFILE,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external: ['@aws-sdk/*'],
    // commander is CommonJS and requires Node built-ins.
    banner: { js: ESM_REQUIRE_BANNER },
    // Smaller without renaming: stack traces of an unexpected failure keep our function names.
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
  });
  await chmod(join(root, CLI_OUTFILE), 0o755);
  const bytes = result.metafile.outputs[CLI_OUTFILE]?.bytes ?? 0;
  return { outfile: CLI_OUTFILE, bytes };
}
