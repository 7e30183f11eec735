import type { BuildOptions } from 'esbuild';

/** Where prebuilt functions go: `dist/functions/<name>/index.mjs`, handler `index.handler`. */
export const FUNCTIONS_OUT_DIR = 'dist/functions';
export const FUNCTION_FILE = 'index.mjs';
export const FUNCTION_HANDLER = 'index.handler';

/** Bundled CommonJS inside an ESM bundle may still `require` Node built-ins; give it a `require`. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __clerkRotatorCreateRequire } from 'node:module'; const require = __clerkRotatorCreateRequire(import.meta.url);";

export interface FunctionBuildSettings {
  /** Repository-relative entry, e.g. `lambda/rotate.ts`. */
  readonly entry: string;
  /** Repository-relative output file. */
  readonly outfile: string;
  /** Bundle `@aws-sdk/*` (as shipped) or leave it external (to measure our own code alone). @default true */
  readonly bundleAwsSdk?: boolean;
}

/**
 * How a Lambda entry is bundled for `nodejs24.x`: one ES module, minified, AWS SDK included (the handler runs with
 * the SDK version it was tested with, not whatever the runtime ships that month), a linked source map without
 * sources (stack traces under `--enable-source-maps` need only the mappings). The build, the bench and the tests
 * all bundle through this, so what is measured and tested is what ships.
 */
export function functionBuildOptions(settings: FunctionBuildSettings): BuildOptions {
  return {
    entryPoints: [settings.entry],
    outfile: settings.outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    external: settings.bundleAwsSdk === false ? ['@aws-sdk/*'] : [],
    metafile: true,
    logLevel: 'silent',
  };
}
