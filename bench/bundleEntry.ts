import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { FUNCTION_FILE, functionBuildOptions } from '../scripts/build/functionBuildOptions.ts';

/** The repository root; entries and outputs are resolved against it. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BundleEntryOptions {
  /** Repository-relative entry file. */
  readonly entry: string;
  /** Include `@aws-sdk/*` (as `npm run build` ships the function) or leave it external (our code alone). */
  readonly bundleAwsSdk: boolean;
}

export interface BundledEntry {
  /** `index.mjs`, ending in its `sourceMappingURL` comment. */
  readonly code: Uint8Array;
  /** `index.mjs.map`, to be written beside the code. */
  readonly map: Uint8Array;
  readonly metafile: esbuild.Metafile;
}

/**
 * Bundles one entry exactly as `npm run build` bundles a function (scripts/build/functionBuildOptions.ts), in memory:
 * what the bench measures is what ships in dist/functions/.
 */
export async function bundleEntry(options: BundleEntryOptions): Promise<BundledEntry> {
  const result = await esbuild.build({
    ...functionBuildOptions({ entry: options.entry, outfile: FUNCTION_FILE, bundleAwsSdk: options.bundleAwsSdk }),
    absWorkingDir: REPO_ROOT,
    write: false,
  });
  const code = result.outputFiles.find((file) => file.path.endsWith('.mjs'));
  const map = result.outputFiles.find((file) => file.path.endsWith('.mjs.map'));
  if (code === undefined || map === undefined || result.metafile === undefined) {
    throw new Error(`esbuild produced no bundle for ${options.entry}`);
  }
  return { code: code.contents, map: map.contents, metafile: result.metafile };
}
