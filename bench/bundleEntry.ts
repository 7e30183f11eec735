import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** The repository root; entries and outputs are resolved against it. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The CDK construct's banner: bundled CommonJS inside an ESM bundle may still `require` Node built-ins. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __clerkRotatorCreateRequire } from 'node:module'; const require = __clerkRotatorCreateRequire(import.meta.url);";

export interface BundleEntryOptions {
  /** Repository-relative entry file. */
  readonly entry: string;
  /** Include `@aws-sdk/*` (as the CDK construct ships the function) or leave it external (our code alone). */
  readonly bundleAwsSdk: boolean;
}

export interface BundledEntry {
  readonly code: Uint8Array;
  readonly metafile: esbuild.Metafile;
}

/** Bundles one entry the way infra/ClerkMachineKeyRotator.ts does: esbuild, ESM, minified, platform node, node22. */
export async function bundleEntry(options: BundleEntryOptions): Promise<BundledEntry> {
  const result = await esbuild.build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [options.entry],
    outfile: 'bundle.mjs',
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    minify: true,
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: options.bundleAwsSdk ? [] : ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  const output = result.outputFiles.find((file) => file.path.endsWith('.mjs'));
  if (output === undefined) throw new Error(`esbuild produced no bundle for ${options.entry}`);
  return { code: output.contents, metafile: result.metafile };
}
