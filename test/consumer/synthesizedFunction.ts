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

/** The stack's one Lambda function (the rotation function) and the bundle its asset holds. */
export async function findSynthesizedFunction(outdir: string, stackName: string): Promise<SynthesizedFunction> {
  const template = await readJson<Template>(join(outdir, `${stackName}.template.json`));
  const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  if (functions.length !== 1) throw new Error(`expected one Lambda function in ${stackName}, got ${functions.length}`);
  const properties = functions[0]?.Properties ?? {};
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
