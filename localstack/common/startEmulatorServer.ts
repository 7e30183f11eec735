import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InvalidEmulatorOptionError } from './errors.ts';
import { InFlightRequests } from './InFlightRequests.ts';

export interface EmulatorServer {
  readonly port: number;
  /** Aborted when `close()` is called: requests still waiting to be processed give up. */
  readonly closing: AbortSignal;
  /** Resolves once every request received so far (and meanwhile) has been handled: see InFlightRequests. */
  settled(): Promise<void>;
  /** Stops listening and destroys every open connection at once (idempotent). */
  close(): Promise<void>;
}

/**
 * The HTTP server both emulators run on: 127.0.0.1 only, every request tracked until its handling ends (so
 * `settled()` can wait for late landings), a 500 when a handler throws, and a close that does not wait for idle
 * keep-alive sockets or pending waits.
 */
export const startEmulatorServer = async (
  port: number,
  createHandler: (closing: AbortSignal) => (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<EmulatorServer> => {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidEmulatorOptionError('port', `must be an integer between 0 and 65535, got ${port}`);
  }
  const closing = new AbortController();
  const handle = createHandler(closing.signal);
  const inFlight = new InFlightRequests();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    inFlight.track(
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      }),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });

  let closed: Promise<void> | undefined;
  return {
    port: address.port,
    closing: closing.signal,
    settled: () => inFlight.settled(),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
};
