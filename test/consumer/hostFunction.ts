import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_ONLY_PATH } from './consumerProject.ts';

const HOST_SCRIPT = fileURLToPath(new URL('functionHost.mjs', import.meta.url));

interface Reply {
  readonly id?: number;
  readonly ok?: boolean;
  readonly result?: unknown;
  readonly error?: { readonly name?: string; readonly code?: string; readonly message: string };
  readonly ready?: boolean;
  readonly node?: string;
  readonly handler?: string;
}

export interface HostedFunction {
  /** `process.version` of the process running the bundle. */
  readonly node: string;
  /** Everything the bundle printed (its JSON log lines), stdout and stderr. */
  readonly output: string[];
  /** Steps invoked so far. */
  readonly invocations: string[];
  invoke(
    event: { Step?: string },
    context: { invokedFunctionArn: string; getRemainingTimeInMillis(): number },
  ): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Starts a Lambda bundle in its own Node 24 process, as Lambda does: `node --enable-source-maps`, the function's
 * environment and nothing else on PATH. Invocations travel over IPC; a failure comes back as an Error with the
 * handler's name, code and message.
 */
export async function hostFunction(bundle: string, env: Readonly<Record<string, string>>): Promise<HostedFunction> {
  const output: string[] = [];
  const invocations: string[] = [];
  const child: ChildProcess = fork(HOST_SCRIPT, [bundle], {
    execPath: process.execPath,
    execArgv: ['--enable-source-maps'],
    env: { PATH: NODE_ONLY_PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout, child.stderr])
    stream?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const ready = new Promise<Reply>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the function host exited with ${code}: ${output.join('')}`)));
    child.on('message', (reply: Reply) => {
      if (reply.ready) return resolve(reply);
      const waiter = pending.get(reply.id ?? -1);
      pending.delete(reply.id ?? -1);
      if (reply.ok) waiter?.resolve(reply.result);
      else
        waiter?.reject(
          Object.assign(new Error(reply.error?.message), { name: reply.error?.name, code: reply.error?.code }),
        );
    });
  });
  const hello = await ready;
  if (hello.handler !== 'function') throw new Error(`${bundle} exports no handler function`);
  let nextId = 0;
  return {
    node: hello.node ?? 'unknown',
    output,
    invocations,
    invoke(event, context) {
      nextId += 1;
      const id = nextId;
      invocations.push(event.Step ?? 'unknown');
      const message = {
        id,
        event,
        functionArn: context.invokedFunctionArn,
        remainingMs: context.getRemainingTimeInMillis(),
      };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send(message);
      });
    },
    async close() {
      child.removeAllListeners('exit');
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}
