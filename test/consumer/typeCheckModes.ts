import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One `tsc --noEmit` of the consumer project: a module setting and the files it checks. */
export interface TypeCheckMode {
  readonly name: string;
  readonly module: string;
  readonly moduleResolution: string;
  readonly files: readonly string[];
  /** false only where the checked files import nothing that needs an optional peer (the reader alone). */
  readonly skipLibCheck: boolean;
}

/**
 * node16 and nodenext check an ES module (`.mts`) and a CommonJS file (`.cts`) importing every entry (`import` and
 * `require` conditions, `.d.ts` and `.d.cts`); bundler and node10 (typesVersions) check `.ts` files. `skipLibCheck`
 * is on where the main entry and `/notify` are imported, since their declarations name the optional peer
 * @aws-sdk/client-lambda; the reader alone is checked with it off. nodenext also checks the apps the other cases run.
 */
export const TYPE_CHECK_MODES: readonly TypeCheckMode[] = [
  {
    name: 'module node16',
    module: 'node16',
    moduleResolution: 'node16',
    files: ['types/entries.mts', 'types/entries.cts'],
    skipLibCheck: true,
  },
  {
    name: 'module nodenext',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    files: ['types/entries.mts', 'types/entries.cts', 'esm-app.mts', 'cdk-app.mts', 'reader.jest.ts'],
    skipLibCheck: true,
  },
  {
    name: 'moduleResolution bundler',
    module: 'esnext',
    moduleResolution: 'bundler',
    files: ['types/entries.ts'],
    skipLibCheck: true,
  },
  {
    name: 'moduleResolution node10',
    module: 'commonjs',
    moduleResolution: 'node10',
    files: ['types/entries.ts'],
    skipLibCheck: true,
  },
  ...(['nodenext', 'bundler', 'node10'] as const).map(
    (moduleResolution): TypeCheckMode => ({
      name: `reader alone, moduleResolution ${moduleResolution}, no skipLibCheck`,
      module: { nodenext: 'nodenext', bundler: 'esnext', node10: 'commonjs' }[moduleResolution],
      moduleResolution,
      files: ['types/reader.ts'],
      skipLibCheck: false,
    }),
  ),
];

/** The same entries file as an ES module and as CommonJS, for node16/nodenext. */
export async function prepareTypeChecks(dir: string): Promise<void> {
  await copyFile(join(dir, 'types/entries.ts'), join(dir, 'types/entries.mts'));
  await copyFile(join(dir, 'types/entries.ts'), join(dir, 'types/entries.cts'));
}

/** Writes `tsconfig.<n>.json` for a mode and returns its file name. */
export async function writeTsconfig(dir: string, index: number, mode: TypeCheckMode): Promise<string> {
  const name = `tsconfig.${index}.json`;
  const tsconfig = {
    compilerOptions: {
      module: mode.module,
      moduleResolution: mode.moduleResolution,
      target: 'es2022',
      lib: ['es2023'],
      types: ['node'],
      strict: true,
      noEmit: true,
      skipLibCheck: mode.skipLibCheck,
    },
    files: mode.files,
  };
  await writeFile(join(dir, name), `${JSON.stringify(tsconfig, null, 2)}\n`);
  return name;
}
