import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';

/** A function longer than the limit, or a file. */
export interface LongUnit {
  readonly file: string;
  readonly name: string;
  readonly lines: number;
}

export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

export interface StructureReport {
  readonly files: number;
  readonly longestFiles: readonly LongUnit[];
  readonly functionsOver: readonly LongUnit[];
  readonly upwardImports: readonly (ImportEdge & { readonly fromLayer: string; readonly toLayer: string })[];
  readonly cycles: readonly (readonly string[])[];
}

/**
 * The layers of the runtime code, lowest first. A module may import from its own layer or a lower one: the kernel
 * (names, errors, the secret format) knows nothing; the core declares its ports and knows only the kernel; adapters
 * and services implement or use the core; the applications (the CLI, the Lambda entries, the package entry) wire
 * them. The CDK construct knows only the kernel's names.
 */
const LAYERS: readonly { readonly name: string; readonly rank: number; readonly match: (file: string) => boolean }[] = [
  { name: 'app', rank: 3, match: (f) => f.startsWith('lib/cli/') || f.startsWith('lambda/') || f === 'lib/index.ts' },
  { name: 'core', rank: 1, match: (f) => f.startsWith('lib/core/') },
  {
    name: 'adapter',
    rank: 2,
    match: (f) =>
      /^lib\/(aws|clerk|notify|reader|verification)\//.test(f) || f === 'lib/Logger.ts' || f === 'lib/Clock.ts',
  },
  { name: 'kernel', rank: 0, match: (f) => /^lib\/[^/]+\.ts$/.test(f) || f.startsWith('lib/budget/') },
  { name: 'infra', rank: 3, match: (f) => f.startsWith('infra/') },
];

const layerOf = (file: string) => LAYERS.find((layer) => layer.match(file));

function functionName(node: ts.Node, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return `${className(node)}.constructor`;
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) {
    return ts.isMethodDeclaration(node) ? `${className(node)}.${node.name.getText(source)}` : node.name.getText(source);
  }
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent)) return parent.name.getText(source);
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return `(anonymous at line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1})`;
}

function className(node: ts.Node): string {
  const owner = node.parent;
  return owner && ts.isClassDeclaration(owner) && owner.name ? owner.name.text : '(class)';
}

/** Line count of every function-like node (nested ones counted on their own too). */
function functionsOf(file: string, source: ts.SourceFile): LongUnit[] {
  const found: LongUnit[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ file, name: functionName(node, source), lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function importsOf(file: string, source: ts.SourceFile, root: string): string[] {
  const targets: string[] = [];
  for (const statement of source.statements) {
    const specifier =
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier
        ? (statement.moduleSpecifier as ts.StringLiteral).text
        : undefined;
    if (specifier?.startsWith('.')) targets.push(normalize(relative(root, join(root, dirname(file), specifier))));
  }
  return targets;
}

function findCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const { from, to } of edges) graph.set(from, [...(graph.get(from) ?? []), to]);
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

/** Measures the given source files (paths relative to `root`) against the structure targets. */
export function measureStructure(root: string, files: readonly string[], maxFunctionLines = 80): StructureReport {
  const longest: LongUnit[] = [];
  const functions: LongUnit[] = [];
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    longest.push({ file, name: file, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) });
    functions.push(...functionsOf(file, source).filter((unit) => unit.lines > maxFunctionLines));
    for (const to of importsOf(file, source, root)) edges.push({ from: file, to });
  }
  const upwardImports = edges.flatMap((edge) => {
    const from = layerOf(edge.from);
    const to = layerOf(edge.to);
    if (from === undefined || to === undefined || to.rank <= from.rank) return [];
    return [{ ...edge, fromLayer: from.name, toLayer: to.name }];
  });
  return {
    files: files.length,
    longestFiles: longest.sort((a, b) => b.lines - a.lines),
    functionsOver: functions.sort((a, b) => b.lines - a.lines),
    upwardImports,
    cycles: findCycles(edges),
  };
}
