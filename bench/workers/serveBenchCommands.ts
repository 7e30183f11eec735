import { parentPort } from 'node:worker_threads';

export interface BenchCommandRequest {
  readonly id: number;
  readonly command: string;
  readonly payload: unknown;
}

export interface BenchCommandReply {
  readonly id: number;
  readonly result?: unknown;
  /** One line: the error's name and message. */
  readonly error?: string;
}

export type BenchCommandHandlers = Readonly<Record<string, (payload: never) => Promise<unknown>>>;

/**
 * The worker side of startBenchWorker: answers each request with its handler's result (plain data: it is copied to
 * the main thread) or a one-line error. Commands run concurrently, in the order they arrive.
 */
export function serveBenchCommands(handlers: BenchCommandHandlers): void {
  const port = parentPort;
  if (port === null) throw new Error('serveBenchCommands must run in a worker thread (see startBenchWorker)');
  port.on('message', (request: BenchCommandRequest) => {
    const handler = handlers[request.command] as ((payload: unknown) => Promise<unknown>) | undefined;
    const run =
      handler === undefined
        ? Promise.reject(new Error(`unknown command ${request.command}`))
        : Promise.resolve().then(() => handler(request.payload));
    run.then(
      (result) => port.postMessage({ id: request.id, result } satisfies BenchCommandReply),
      (error: unknown) =>
        port.postMessage({
          id: request.id,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        } satisfies BenchCommandReply),
    );
  });
}
