import { build } from 'tsup';

/** The package's entry points (package.json `exports`), each built as ESM (`.js`) and CommonJS (`.cjs`). */
export const LIBRARY_ENTRIES = {
  index: 'lib/index.ts',
  reader: 'lib/reader/index.ts',
  notify: 'lib/notify/index.ts',
  cdk: 'infra/index.ts',
} as const;

/**
 * tsup: esbuild for the code, the TypeScript compiler (through rollup-plugin-dts) for one bundled declaration file
 * per entry and format (`.d.ts` for `import`, `.d.cts` for `require`). Shared code goes into chunks in both formats,
 * so `instanceof` works across entry points. The AWS SDK, aws-cdk-lib and constructs stay external; small
 * dependencies (p-retry) are bundled so that they are no runtime dependency.
 */
export async function buildLibrary(root: string): Promise<void> {
  await build({
    entry: Object.fromEntries(Object.entries(LIBRARY_ENTRIES).map(([name, path]) => [name, `${root}/${path}`])),
    outDir: `${root}/dist`,
    format: ['esm', 'cjs'],
    platform: 'node',
    target: 'node22',
    splitting: true,
    shims: true,
    dts: { compilerOptions: { allowImportingTsExtensions: true } },
    tsconfig: `${root}/tsconfig.build.json`,
    sourcemap: false,
    clean: false,
    config: false,
    removeNodeProtocol: false,
    external: [/^@aws-sdk\//, /^aws-cdk-lib(?:\/|$)/, 'constructs'],
    noExternal: ['p-retry', 'is-network-error'],
    silent: true,
  });
}
