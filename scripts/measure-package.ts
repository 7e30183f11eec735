/**
 * `npm run measure:package`: what a user downloads and installs.
 *
 *   1. `npm pack` (prepack builds dist/): files, packed and unpacked bytes, by top folder.
 *   2. A fresh project in a temporary folder that installs only the tarball, as a reader-only app does:
 *      node_modules bytes and package count (`npm ls --all --parseable`).
 *
 * Prints the figures docs/decisions/010-build-and-package.md quotes. Needs the npm registry (or npm's cache).
 * `-- --tarball <file>` measures an existing tarball instead (an older release, for a before/after comparison).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

async function folderBytes(path: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

interface PackReport {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string; readonly size: number }[];
}

/** Files by what they are: each prebuilt function, the CLI, JavaScript by format, declarations, maps, sources. */
function groupOf(path: string): string {
  if (path.startsWith('dist/functions/')) return path.split('/').slice(0, 3).join('/');
  if (path.startsWith('dist/bin/')) return 'dist/bin';
  if (/\.d\.c?ts$/.test(path)) return 'declarations (.d.ts, .d.cts)';
  if (path.endsWith('.map')) return 'source maps (.map)';
  if (/\.[cm]?ts$/.test(path)) return 'TypeScript sources (.ts)';
  if (path.startsWith('dist/')) return path.endsWith('.cjs') ? 'CommonJS (.cjs)' : 'ES modules (.js)';
  return path.split('/')[0] as string;
}

const { values: args } = parseArgs({ options: { tarball: { type: 'string' } } });
const dir = await mkdtemp(join(tmpdir(), 'clerk-rotator-measure-'));
try {
  const packArgs = args.tarball === undefined ? ['--pack-destination', dir] : ['--dry-run', args.tarball];
  const { stdout } = await run('npm', ['pack', '--json', ...packArgs], { cwd: root, maxBuffer: 1 << 26 });
  const [pack] = JSON.parse(stdout) as PackReport[];
  if (pack === undefined) throw new Error('npm pack reported no tarball');
  const tarball = args.tarball ?? join(dir, pack.filename);
  const groups = new Map<string, { files: number; bytes: number }>();
  for (const file of pack.files) {
    const group = groups.get(groupOf(file.path)) ?? { files: 0, bytes: 0 };
    groups.set(groupOf(file.path), { files: group.files + 1, bytes: group.bytes + file.size });
  }
  console.log(`${tarball}: ${pack.files.length} files, ${kB(pack.size)} packed, ${kB(pack.unpackedSize)} unpacked`);
  for (const [group, { files, bytes }] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes)) {
    console.log(`  ${group.padEnd(32)} ${String(files).padStart(4)} files ${kB(bytes).padStart(10)}`);
  }

  const app = join(dir, 'reader-app');
  await run('mkdir', ['-p', app]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'reader-app', version: '1.0.0', private: true }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: app });
  const { stdout: tree } = await run('npm', ['ls', '--all', '--parseable'], { cwd: app, maxBuffer: 1 << 26 });
  const packages = tree.trim().split('\n').length - 1;
  const bytes = await folderBytes(join(app, 'node_modules'));
  console.log(
    `reader-only app (npm install <tarball> in a fresh project): ${packages} packages, node_modules ${kB(bytes)}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
