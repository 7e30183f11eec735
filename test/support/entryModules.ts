import { build } from 'esbuild';

export interface EntryModules {
  /** Every repository file the entry pulls in (repository-relative). */
  readonly inputs: string[];
  /** The packages it imports, sorted, Node built-ins left out. */
  readonly externals: string[];
}

/** What one package entry point depends on: esbuild follows its imports, leaving every package external. */
export async function entryModules(entryPoint: string): Promise<EntryModules> {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map((i) => i.path));
  const externals = new Set(imports.filter((path) => !path.startsWith('.') && !path.startsWith('lib/')));
  return { inputs, externals: [...externals].filter((path) => !path.startsWith('node:')).sort() };
}
