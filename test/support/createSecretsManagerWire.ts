import { Agent, request } from 'node:http';

/** An AWS JSON 1.1 error the emulator answered with (`name` is its `__type`). */
export class SecretsManagerWireError extends Error {
  override readonly name: string;
  readonly statusCode: number;

  constructor(name: string, message: string, statusCode: number) {
    super(message);
    this.name = name;
    this.statusCode = statusCode;
  }
}

export interface SecretsManagerWire {
  /** Sends one operation (`GetSecretValue`, `RotateSecret`, …) and returns the parsed JSON answer. */
  call<T = Record<string, unknown>>(operation: string, input: Record<string, unknown>): Promise<T>;
  close(): void;
}

/**
 * The test's own line to the Secrets Manager emulator: AWS JSON 1.1 over one keep-alive connection pool, no SDK.
 * The checks read values after every action; through the SDK each call costs ~3 ms more on a small CI VM (signing,
 * endpoint rules, middleware), which a thousand schedules multiply. The rotation function keeps the real SDK client.
 * The emulator requires an Authorization header and does not check the signature.
 */
export function createSecretsManagerWire(endpoint: string): SecretsManagerWire {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const headers = (operation: string) => ({
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `secretsmanager.${operation}`,
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAEMULATOREXAMPLE/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=0',
  });

  return {
    call<T>(operation: string, input: Record<string, unknown>) {
      return new Promise<T>((resolve, reject) => {
        const req = request(
          { host: url.hostname, port: url.port, path: '/', method: 'POST', agent, headers: headers(operation) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              let body: Record<string, unknown> = {};
              try {
                body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
              } catch {
                // An unparsable answer is reported below with its status.
              }
              const status = res.statusCode ?? 0;
              if (status >= 200 && status < 300) {
                resolve(body as T);
                return;
              }
              const type = String(body.__type ?? 'UnknownError');
              const message = String(body.message ?? body.Message ?? `HTTP ${status}`);
              reject(new SecretsManagerWireError(type.split('#').pop() ?? type, message, status));
            });
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(input));
      });
    },
    close() {
      agent.destroy();
    },
  };
}
