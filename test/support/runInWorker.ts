import { Worker } from 'node:worker_threads';

/**
 * Runs a module in a worker thread and resolves with the first message it posts. The chaos and fleet suites use it
 * to spread CPU-bound work (a rotation through both emulators and the real SDK costs tens of ms of CPU) over a
 * second core: vitest gives a 2-core runner one worker. The thread registers tsx so it can load TypeScript.
 */
export function runInWorker<T>(entry: URL, workerData: unknown): Promise<T> {
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  const worker = new Worker(bootstrap, { eval: true, workerData });
  return new Promise<T>((resolve, reject) => {
    worker.once('message', (result: T) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`worker ${entry.pathname} exited with code ${code} before reporting`)),
    );
  }).finally(() => worker.terminate());
}
