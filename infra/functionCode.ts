import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { PACKAGE_NAME } from '../lib/constants.ts';
import { RotatorPropsError } from './validation.ts';

/** The functions this package ships: `lambda/<name>.ts`, prebuilt as `dist/functions/<name>/index.mjs`. */
export type RotatorFunctionName = 'rotate' | 'verify';

/** Where the construct takes a function's code from (`bundling` prop); a given `code` wins over both. */
export type FunctionBundling = 'prebuilt' | 'source';

/** The prebuilt bundle's folder inside the package: `index.mjs`, `index.mjs.map`, handler `index.handler`. */
export function prebuiltFunctionDir(packageRoot: string, name: RotatorFunctionName): string {
  return join(packageRoot, 'dist', 'functions', name);
}

/** Lets `require` work inside the ESM bundle for the few CommonJS dependencies that call it. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __clerkRotatorCreateRequire } from 'node:module'; const require = __clerkRotatorCreateRequire(import.meta.url);";

function isThisPackage(packageJson: string): boolean {
  try {
    return (JSON.parse(readFileSync(packageJson, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/**
 * The folder of the `package.json` named clerk-machine-key-rotator above `file`: the repository root for the
 * TypeScript source (`infra/…`), the installed package for the compiled construct (`dist/infra/…`).
 */
export function findPackageRoot(file: string): string | undefined {
  let dir = dirname(file);
  for (;;) {
    const packageJson = join(dir, 'package.json');
    if (existsSync(packageJson) && isThisPackage(packageJson)) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const THIS_FILE = fileURLToPath(import.meta.url);

function packageRootOrThrow(): string {
  const root = findPackageRoot(THIS_FILE);
  if (root === undefined) {
    throw new RotatorPropsError(
      'bundling',
      `cannot locate the function code: no package.json named ${PACKAGE_NAME} above ${THIS_FILE}; pass code instead`,
    );
  }
  return root;
}

/** `Code.fromAsset` of the prebuilt bundle, or a one-line error naming the path and both fixes. */
function prebuiltCode(name: RotatorFunctionName): lambda.Code {
  const root = packageRootOrThrow();
  const dir = prebuiltFunctionDir(root, name);
  const bundle = join(dir, 'index.mjs');
  if (!existsSync(bundle)) {
    throw new RotatorPropsError(
      'bundling',
      `is 'prebuilt' (the default) but ${bundle} does not exist: run npm run build in ${root}, or set bundling: 'source' to bundle lambda/${name}.ts with esbuild`,
    );
  }
  return lambda.Code.fromAsset(dir);
}

function sourceEntry(name: RotatorFunctionName): string {
  const root = packageRootOrThrow();
  const candidates = [join(root, 'lambda', `${name}.ts`), join(root, 'dist', 'lambda', `${name}.js`)];
  const entry = candidates.find((candidate) => existsSync(candidate));
  if (entry === undefined) {
    throw new RotatorPropsError('bundling', `is 'source' but none of ${candidates.join(', ')} exists`);
  }
  return entry;
}

/** The code-related props of a function: handler, code or entry and bundling, and whether it has a source map. */
export interface FunctionCodeProps {
  readonly props: Partial<nodejs.NodejsFunctionProps>;
  /** True when the construct built or located the bundle, which ships a source map. */
  readonly hasSourceMap: boolean;
}

/** Chooses a function's code: the user's `code`, the package's prebuilt bundle, or esbuild on `lambda/<name>.ts`. */
export function functionCode(
  name: RotatorFunctionName,
  code: lambda.Code | undefined,
  bundling: FunctionBundling,
): FunctionCodeProps {
  if (code !== undefined) return { props: { code, handler: 'index.handler' }, hasSourceMap: false };
  if (bundling === 'prebuilt') {
    return { props: { code: prebuiltCode(name), handler: 'index.handler' }, hasSourceMap: true };
  }
  return {
    props: {
      entry: sourceEntry(name),
      handler: 'handler',
      bundling: {
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        // Bundle the SDK: the version the handler was tested with (PutSecretValue's RotationToken, retry
        // behaviour) instead of whatever the runtime ships that day; the cost is a larger, still small, asset.
        bundleAwsSDK: true,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
      },
    },
    hasSourceMap: true,
  };
}
