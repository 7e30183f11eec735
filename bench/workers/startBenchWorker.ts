import { Worker } from 'node:worker_threads';
import type { BenchCommandReply, BenchCommandRequest } from './serveBenchCommands.ts';

/** A module running in a worker thread that answers named commands (see serveBenchCommands). */
export interface BenchWorker {
  call<T>(command: string, payload?: unknown): Promise<T>;
  /** Ends the thread (the module's own cleanup command, if any, should have run first). */
  close(): Promise<void>;
}

/**
 * Starts `entry` in a worker thread: its own event loop, its own share of the CPU. The thread registers tsx before
 * loading the module, so it loads TypeScript whether the bench runs under tsx or under vitest. A command's failure
 * rejects that call; the thread dying rejects every call still waiting.
 */
export function startBenchWorker(entry: URL): BenchWorker {
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  const worker = new Worker(bootstrap, { eval: true });
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let died: Error | undefined;
  const failAll = (error: Error) => {
    died = error;
    for (const call of waiting.values()) call.reject(error);
    waiting.clear();
  };
  worker.on('message', (reply: BenchCommandReply) => {
    const call = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.error === undefined) call?.resolve(reply.result);
    else call?.reject(new Error(`${entry.pathname.split('/').at(-1)}: ${reply.error}`));
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`worker ${entry.pathname} exited with code ${code}`)));
  return {
    call<T>(command: string, payload?: unknown) {
      if (died !== undefined) return Promise.reject(died);
      const id = nextId++;
      const request: BenchCommandRequest = { id, command, payload };
      return new Promise<T>((resolve, reject) => {
        waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
        worker.postMessage(request);
      });
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
