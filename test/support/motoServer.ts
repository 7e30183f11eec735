import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Where `moto_server` is: on PATH, else in pyenv's shims (where the machine image installs it). A pyenv shim exists
 * even when the active Python lacks moto, so the candidate must also answer `--help`.
 */
export const findMotoServer = (env: NodeJS.ProcessEnv = process.env): string | undefined => {
  const pyenv = join(homedir(), '.pyenv');
  const dirs = [...(env.PATH ?? '').split(delimiter), join(pyenv, 'shims'), join(pyenv, 'bin')].filter(Boolean);
  for (const dir of new Set(dirs)) {
    const candidate = join(dir, 'moto_server');
    if (!existsSync(candidate)) continue;
    const probe = spawnSync(candidate, ['--help'], { stdio: 'ignore', timeout: 15_000 });
    if (probe.status === 0) return candidate;
  }
  return undefined;
};

/** A free port on the loopback interface (released before moto binds it). */
export const freeLoopbackPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** Forgets every resource (moto's `/moto-api/reset`). */
  reset(): Promise<void>;
  /** Stops the process (SIGTERM, then SIGKILL after 3 s). */
  stop(): Promise<void>;
}

export interface StartMotoServerOptions {
  /** @default 30_000 */
  readonly startupTimeoutMs?: number;
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** Starts `moto_server -H 127.0.0.1 -p <free port>` and resolves once it answers HTTP. */
export const startMotoServer = async (path: string, options: StartMotoServerOptions = {}): Promise<MotoServer> => {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(path, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited(child);
    clearTimeout(killer);
  };

  const deadline = Date.now() + (options.startupTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`moto_server exited with code ${child.exitCode} before answering: ${stderr.trim()}`);
    }
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) {
        return {
          endpoint,
          port,
          reset: async () => {
            await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
          },
          stop,
        };
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`moto_server did not answer on ${endpoint} within the startup timeout: ${stderr.trim()}`);
};
