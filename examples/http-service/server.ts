/**
 * Example: a small node:http service that authenticates callers with M2M tokens and calls others with its own.
 *
 *   GET  /healthz          200 once the machine key can be read
 *   GET  /whoami           requires `Authorization: Bearer <M2M token>`; verified at Clerk with this service's
 *                          machine key (the token must be issued by, or scoped to, this machine)
 *   POST /call             mints a token with the current machine key and calls DOWNSTREAM_URL with it
 *                          (default: this service's own /whoami)
 *
 * Copy it into an app that installed clerk-machine-key-rotator. In this repository, run it against the local stack
 * (see docs/reader.md); `npm run example` resolves the package's own imports to its sources:
 *   MACHINE_KEY_SECRET_ID=clerk/machines/service CLERK_API_URL=http://127.0.0.1:<port>/v1 \
 *   AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:<port> AWS_REGION=us-east-1 \
 *   AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test npm run example -- examples/http-service/server.ts
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type Clock,
  ConfigError,
  createJsonLogger,
  createM2MToken,
  createMachineKeyProvider,
  isRotatorError,
  type Logger,
  type MachineKeyProvider,
  parseLogLevel,
  Redacted,
  systemClock,
  verifyM2MToken,
} from 'clerk-machine-key-rotator/reader';

export interface ServiceOptions {
  /** This service's machine key: mints its tokens and verifies the ones presented to it. */
  readonly provider: MachineKeyProvider;
  readonly fetch: typeof fetch;
  readonly apiUrl?: string;
  /** Where POST /call goes. @default this service's own /whoami */
  readonly downstreamUrl?: string;
  readonly logger: Logger;
  readonly clock?: Clock;
}

export interface RunningService {
  readonly server: Server;
  readonly url: string;
  close(): Promise<void>;
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
};

function bearerToken(req: IncomingMessage): Redacted | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1] === undefined ? undefined : new Redacted(match[1]);
}

/** The request listener, separate from listening so that it can be mounted elsewhere. */
export function createServiceHandler(options: ServiceOptions & { readonly selfUrl: () => string }) {
  const { provider, logger } = options;
  const clerk = { fetch: options.fetch, apiUrl: options.apiUrl, clock: options.clock ?? systemClock, logger };

  // Our own or Clerk's trouble is a 503 to the caller, never a 401: the caller's token was not the problem.
  const unavailable = (res: ServerResponse, error: unknown) => {
    logger.error(isRotatorError(error) ? error.message : 'request failed', {
      outcome: 'failed',
      errorCode: isRotatorError(error) ? error.code : (error as Error)?.name,
    });
    send(res, 503, { error: 'unavailable' }, { 'retry-after': '1' });
  };

  async function whoami(req: IncomingMessage, res: ServerResponse) {
    const token = bearerToken(req);
    if (token === undefined) return send(res, 401, { error: 'missing_bearer_token' }, { 'www-authenticate': 'Bearer' });
    const verification = await verifyM2MToken({ ...clerk, provider, token });
    if (!verification.valid) return send(res, 401, { error: verification.reason }, { 'www-authenticate': 'Bearer' });
    return send(res, 200, { subject: verification.token.subject, scopes: verification.token.scopes });
  }

  async function callDownstream(res: ServerResponse) {
    const token = await createM2MToken({ ...clerk, provider, secondsUntilExpiration: 120, minRemainingTtlSeconds: 30 });
    const response = await options.fetch(options.downstreamUrl ?? `${options.selfUrl()}/whoami`, {
      headers: { Authorization: `Bearer ${token.token.reveal()}` },
      signal: AbortSignal.timeout(5_000),
    });
    await response.body?.cancel();
    const status = response.ok ? 200 : 502;
    return send(res, status, { downstreamStatus: response.status, machineKeyVersionId: token.machineKeyVersionId });
  }

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://service.invalid').pathname;
    try {
      if (req.method === 'GET' && path === '/healthz') {
        const key = await provider.get();
        return send(res, 200, { ok: true, machineId: key.machineId, machineKeyVersionId: key.versionId });
      }
      if (req.method === 'GET' && path === '/whoami') return await whoami(req, res);
      if (req.method === 'POST' && path === '/call') return await callDownstream(res);
      return send(res, 404, { error: 'not_found' });
    } catch (error) {
      return unavailable(res, error);
    }
  };
}

/** Starts the service on 127.0.0.1 (port 0: any free port). */
export async function startService(options: ServiceOptions & { readonly port?: number }): Promise<RunningService> {
  let url = '';
  const handle = createServiceHandler({ ...options, selfUrl: () => url });
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `npm run example -- examples/http-service/server.ts`: configuration from the environment, clients from the SDK defaults. */
async function main(env: NodeJS.ProcessEnv): Promise<void> {
  const secretId = env.MACHINE_KEY_SECRET_ID?.trim();
  if (!secretId) throw new ConfigError('MACHINE_KEY_SECRET_ID', 'is required');
  const logger = createJsonLogger({ clock: systemClock, level: parseLogLevel(env.LOG_LEVEL) });
  const provider = createMachineKeyProvider({ secretId, client: new SecretsManagerClient({}), logger });
  const service = await startService({
    provider,
    fetch: globalThis.fetch,
    apiUrl: env.CLERK_API_URL?.trim() || undefined,
    downstreamUrl: env.DOWNSTREAM_URL?.trim() || undefined,
    logger,
    port: Number(env.PORT ?? 3000),
  });
  logger.info(`listening on ${service.url}`, { outcome: 'started' });
  const stop = () => void service.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.env).catch((error: unknown) => {
    process.stderr.write(`${isRotatorError(error) ? error.message : String((error as Error)?.name)}\n`);
    process.exit(1);
  });
}
