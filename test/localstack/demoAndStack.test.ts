import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../localstack/runDemo.ts';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('npm run demo', () => {
  it('narrates a real rotation and exits 0, printing fingerprints and never a key', async () => {
    const lines: string[] = [];
    const code = await runDemo({ write: (l) => lines.push(l), color: false });
    const text = lines.join('\n');
    expect(code).toBe(0);
    expect(text).toMatch(/1\. The app reads AWSCURRENT and calls Clerk with it\n {2}✓ key#[0-9a-f]{8}/);
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      expect(text).toMatch(new RegExp(`✓ ${step}\\s+\\w+\\s+\\d+ ms`));
    }
    expect(text).toMatch(/Clerk rotated 1 time\(s\)/);
    expect(text).toMatch(/is still accepted/);
    expect(text).toMatch(/is rejected \(401\)/);
    expect(text).not.toMatch(/\b(ak|sk_test|sk_live)_[A-Za-z0-9]/);
    expect(text).not.toContain('\u001b[');
  });
});

describe('npm run local-stack', () => {
  it('starts both emulators on the given ports, prints the exports, and serves the SDK and a rotation', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-stack.ts'], {
      env: { ...process.env, LOCAL_STACK_CLERK_PORT: '0', LOCAL_STACK_SECRETS_MANAGER_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!output.includes('Ctrl-C stops it') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const exports = Object.fromEntries([...output.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(exports)).toEqual(
      expect.arrayContaining([
        'AWS_ENDPOINT_URL_SECRETS_MANAGER',
        'CLERK_API_URL',
        'CLERK_SECRET_KEY_SECRET_ID',
        'MACHINE_SECRET_ID',
      ]),
    );
    expect(output).not.toMatch(/\b(ak|sk_test)_[A-Za-z0-9]/);

    const client = new SecretsManagerClient({
      region: exports.AWS_REGION,
      endpoint: exports.AWS_ENDPOINT_URL_SECRETS_MANAGER,
      credentials: { accessKeyId: exports.AWS_ACCESS_KEY_ID!, secretAccessKey: exports.AWS_SECRET_ACCESS_KEY! },
    });
    const before = await client.send(new GetSecretValueCommand({ SecretId: exports.MACHINE_SECRET_ID }));
    await client.send(new RotateSecretCommand({ SecretId: exports.MACHINE_SECRET_ID, RotateImmediately: true }));
    let after = before;
    while (after.VersionId === before.VersionId && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      after = await client.send(new GetSecretValueCommand({ SecretId: exports.MACHINE_SECRET_ID }));
    }
    expect(after.VersionId).not.toBe(before.VersionId);
    client.destroy();

    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
