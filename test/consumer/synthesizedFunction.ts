import { join } from 'node:path';
import { readJson } from './consumerProject.ts';

/** True when the built construct deploys the prebuilt `dist/functions/<name>/` asset instead of bundling itself. */
export function usesPrebuiltFunctions(cdkEntrySource: string): boolean {
  return /[/'"`]functions[/'"`]/.test(cdkEntrySource);
}

interface Template {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
}

interface AssetManifest {
  readonly files: Record<string, { readonly source: { readonly path: string; readonly packaging?: string } }>;
}

export interface SynthesizedFunction {
  readonly handler: string;
  readonly runtime: string;
  /** `index.mjs` of the function's asset folder in cdk.out: the file that would be zipped and deployed. */
  readonly bundle: string;
}

/**
 * The stack's rotation function (the one whose environment carries the landing horizon, which the verification
 * function's does too — told apart by the verification's ROTATION_FUNCTION_ARN) and the bundle its asset holds.
 */
export async function findSynthesizedFunction(outdir: string, stackName: string): Promise<SynthesizedFunction> {
  const template = await readJson<Template>(join(outdir, `${stackName}.template.json`));
  const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  const rotation = functions.filter((fn) => {
    const variables = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    return variables !== undefined && !('ROTATION_FUNCTION_ARN' in variables);
  });
  if (rotation.length !== 1) {
    throw new Error(`expected one rotation function in ${stackName}, got ${rotation.length} of ${functions.length}`);
  }
  const properties = rotation[0]?.Properties ?? {};
  const code = properties.Code as { S3Key?: string };
  const hash = code.S3Key?.replace(/\.zip$/, '');
  const assets = await readJson<AssetManifest>(join(outdir, `${stackName}.assets.json`));
  const asset = hash === undefined ? undefined : assets.files[hash];
  if (asset === undefined) throw new Error(`no asset ${String(code.S3Key)} in ${stackName}.assets.json`);
  return {
    handler: String(properties.Handler),
    runtime: String(properties.Runtime),
    bundle: join(outdir, asset.source.path, 'index.mjs'),
  };
}
