import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';

/**
 * A stateful Secrets Manager behind aws-sdk-client-mock: the four calls the rotation function makes, with the
 * documented semantics (labels on one version, AWSPREVIOUS follows AWSCURRENT, token idempotency), and faults a
 * test can inject before or after a call is processed.
 */
export type SmOperation =
  | 'DescribeSecret'
  | 'GetSecretValue'
  | 'PutSecretValue'
  | 'UpdateSecretVersionStage'
  | 'TagResource'
  | 'UntagResource'
  | 'RotateSecret'
  | 'ListSecrets'
  | 'ListSecretVersionIds';
export type SmFault =
  | { kind: 'pass' }
  /** Runs before the call is processed, e.g. to move the clock as a stalled invocation would. */
  | { kind: 'run'; run: () => void }
  | { kind: 'before'; name: string }
  | { kind: 'lost-after'; name?: string };

interface Version {
  value: string | undefined;
  stages: Set<string>;
  createdAt?: number;
}

export interface FakeSecret {
  arn: string;
  name: string;
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  lastRotatedDate?: number;
  tags: Record<string, string>;
  versions: Map<string, Version>;
}

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $fault: 'client' });

export class FakeSecretsManager {
  readonly client = new SecretsManagerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
  });
  readonly mock = mockClient(this.client);
  readonly secrets = new Map<string, FakeSecret>();
  readonly calls: { operation: SmOperation; outcome: string }[] = [];
  private readonly faults = new Map<SmOperation, SmFault[]>();

  constructor() {
    this.mock.on(DescribeSecretCommand).callsFake((input) => this.run('DescribeSecret', () => this.describe(input)));
    this.mock.on(GetSecretValueCommand).callsFake((input) => this.run('GetSecretValue', () => this.get(input)));
    this.mock.on(PutSecretValueCommand).callsFake((input) => this.run('PutSecretValue', () => this.put(input)));
    this.mock
      .on(UpdateSecretVersionStageCommand)
      .callsFake((input) => this.run('UpdateSecretVersionStage', () => this.updateStage(input)));
    this.mock.on(TagResourceCommand).callsFake((input) => this.run('TagResource', () => this.tag(input)));
    this.mock.on(UntagResourceCommand).callsFake((input) => this.run('UntagResource', () => this.untag(input)));
    this.mock.on(RotateSecretCommand).callsFake((input) => this.run('RotateSecret', () => this.rotate(input)));
    this.mock.on(ListSecretsCommand).callsFake((input) => this.run('ListSecrets', () => this.list(input)));
    this.mock
      .on(ListSecretVersionIdsCommand)
      .callsFake((input) => this.run('ListSecretVersionIds', () => this.listVersions(input)));
  }

  /** The clock versions are stamped with (ListSecretVersionIds' CreatedDate); tests share the fake Clerk's. */
  now: () => number = () => Date.now();

  /** ListSecrets with a tag-key filter, `pageSize` entries a page (NextToken is the index of the next entry). */
  pageSize = 100;

  private list(input: { Filters?: { Key?: string; Values?: string[] }[]; NextToken?: string; MaxResults?: number }) {
    const tagKeys = input.Filters?.filter((f) => f.Key === 'tag-key').flatMap((f) => f.Values ?? []) ?? [];
    const all = [...this.secrets.values()].filter((s) => tagKeys.every((key) => key in s.tags));
    const start = Number(input.NextToken ?? 0);
    const size = Math.min(this.pageSize, input.MaxResults ?? 100);
    const page = all.slice(start, start + size);
    return {
      SecretList: page.map((s) => ({
        ARN: s.arn,
        Name: s.name,
        ...(s.rotationEnabled === undefined ? {} : { RotationEnabled: s.rotationEnabled }),
        ...(s.rotationLambdaArn === undefined ? {} : { RotationLambdaARN: s.rotationLambdaArn }),
        SecretVersionsToStages: this.stagesOf(s),
        Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
      })),
      ...(start + size < all.length ? { NextToken: String(start + size) } : {}),
    };
  }

  private listVersions(input: { SecretId?: string }) {
    const s = this.find(input.SecretId);
    return {
      ARN: s.arn,
      Versions: [...s.versions].map(([id, v]) => ({
        VersionId: id,
        VersionStages: [...v.stages],
        CreatedDate: new Date(v.createdAt ?? 0),
      })),
    };
  }

  /** RotateSecret's token of each rotation started through the API (the harness drives its steps). */
  readonly startedRotations: string[] = [];

  private tag(input: { SecretId?: string; Tags?: { Key?: string; Value?: string }[] }) {
    const s = this.find(input.SecretId);
    for (const tag of input.Tags ?? []) if (tag.Key !== undefined) s.tags[tag.Key] = tag.Value ?? '';
    return {};
  }

  private untag(input: { SecretId?: string; TagKeys?: string[] }) {
    const s = this.find(input.SecretId);
    for (const key of input.TagKeys ?? []) delete s.tags[key];
    return {};
  }

  private rotate(input: { SecretId?: string }) {
    const s = this.find(input.SecretId);
    const pending = this.versionIdWith(s, 'AWSPENDING');
    if (pending !== undefined && pending !== this.versionIdWith(s, 'AWSCURRENT')) {
      throw awsError(
        'InvalidRequestException',
        "A previous rotation isn't complete. That rotation will be reattempted.",
      );
    }
    const token = this.stagePending(s);
    this.startedRotations.push(token);
    return { ARN: s.arn, Name: s.name, VersionId: token };
  }

  inject(operation: SmOperation, ...faults: SmFault[]): void {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), ...faults]);
  }

  createSecret(name: string, value: string | undefined, tags: Record<string, string> = {}): FakeSecret {
    const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`;
    const secret: FakeSecret = { arn, name, tags, versions: new Map() };
    if (value !== undefined) secret.versions.set(randomUUID(), { value, stages: new Set(['AWSCURRENT']) });
    this.secrets.set(arn, secret);
    return secret;
  }

  enableRotation(secret: FakeSecret, functionArn: string): void {
    secret.rotationEnabled = true;
    secret.rotationLambdaArn = functionArn;
  }

  /** What RotateSecret does first: the token becomes a version labelled AWSPENDING with no value. */
  stagePending(secret: FakeSecret, token: string = randomUUID(), value?: string): string {
    this.moveLabel(secret, 'AWSPENDING', token);
    secret.versions.set(token, { value, stages: new Set(['AWSPENDING']), createdAt: this.now() });
    return token;
  }

  versionIdWith(secret: FakeSecret, stage: string): string | undefined {
    return [...secret.versions].find(([, v]) => v.stages.has(stage))?.[0];
  }

  valueWith(secret: FakeSecret, stage: string): string | undefined {
    const id = this.versionIdWith(secret, stage);
    return id === undefined ? undefined : secret.versions.get(id)?.value;
  }

  stagesOf(secret: FakeSecret): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [id, v] of secret.versions) if (v.stages.size > 0) out[id] = [...v.stages].sort();
    return out;
  }

  /** A comparable snapshot of everything a rotation could change. */
  snapshot(): string {
    return JSON.stringify(
      [...this.secrets.values()].map((s) => ({
        arn: s.arn,
        versions: [...s.versions].map(([id, v]) => [id, v.value, [...v.stages].sort()]),
      })),
    );
  }

  count(operation: SmOperation): number {
    return this.calls.filter((c) => c.operation === operation).length;
  }

  private run<T>(operation: SmOperation, apply: () => T): T {
    const fault = this.faults.get(operation)?.shift();
    if (fault?.kind === 'run') fault.run();
    if (fault?.kind === 'before') {
      this.calls.push({ operation, outcome: fault.name });
      throw awsError(fault.name, `injected ${fault.name}`);
    }
    try {
      const result = apply();
      if (fault?.kind === 'lost-after') {
        this.calls.push({ operation, outcome: 'lost-after' });
        throw awsError(fault.name ?? 'TimeoutError', 'injected: response lost after processing');
      }
      this.calls.push({ operation, outcome: 'ok' });
      return result;
    } catch (error) {
      if (this.calls.at(-1)?.outcome !== 'lost-after') {
        this.calls.push({ operation, outcome: (error as Error).name });
      }
      throw error;
    }
  }

  private find(secretId: string | undefined): FakeSecret {
    const secret = [...this.secrets.values()].find((s) => s.arn === secretId || s.name === secretId);
    if (!secret) throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }

  private moveLabel(secret: FakeSecret, stage: string, to: string | undefined): void {
    for (const [id, v] of secret.versions) if (id !== to) v.stages.delete(stage);
  }

  private describe(input: { SecretId?: string }) {
    const s = this.find(input.SecretId);
    return {
      ARN: s.arn,
      Name: s.name,
      ...(s.rotationEnabled === undefined ? {} : { RotationEnabled: s.rotationEnabled }),
      ...(s.rotationLambdaArn === undefined ? {} : { RotationLambdaARN: s.rotationLambdaArn }),
      ...(s.lastRotatedDate === undefined ? {} : { LastRotatedDate: new Date(s.lastRotatedDate) }),
      VersionIdsToStages: this.stagesOf(s),
      Tags: Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value })),
    };
  }

  private get(input: { SecretId?: string; VersionId?: string; VersionStage?: string }) {
    const s = this.find(input.SecretId);
    const stage = input.VersionStage ?? (input.VersionId === undefined ? 'AWSCURRENT' : undefined);
    let id = input.VersionId;
    if (id === undefined) id = this.versionIdWith(s, stage!);
    const version = id === undefined ? undefined : s.versions.get(id);
    if (!version || (stage !== undefined && !version.stages.has(stage)) || version.value === undefined) {
      throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret value.");
    }
    return { ARN: s.arn, Name: s.name, VersionId: id, SecretString: version.value, VersionStages: [...version.stages] };
  }

  private put(input: {
    SecretId?: string;
    ClientRequestToken?: string;
    SecretString?: string;
    VersionStages?: string[];
  }) {
    const s = this.find(input.SecretId);
    const token = input.ClientRequestToken ?? randomUUID();
    const existing = s.versions.get(token);
    if (existing?.value !== undefined) {
      if (existing.value !== input.SecretString) {
        throw awsError('ResourceExistsException', 'A resource with the ID you requested already exists.');
      }
      return { ARN: s.arn, Name: s.name, VersionId: token, VersionStages: [...existing.stages] };
    }
    const stages = input.VersionStages ?? ['AWSCURRENT'];
    for (const stage of stages) {
      if (stage === 'AWSCURRENT') this.promote(s, token);
      else this.moveLabel(s, stage, token);
    }
    const version = existing ?? { value: undefined, stages: new Set<string>() };
    version.value = input.SecretString;
    for (const stage of stages) version.stages.add(stage);
    s.versions.set(token, version);
    return { ARN: s.arn, Name: s.name, VersionId: token, VersionStages: stages };
  }

  private promote(s: FakeSecret, to: string): void {
    const from = this.versionIdWith(s, 'AWSCURRENT');
    if (from === to) return;
    this.moveLabel(s, 'AWSPREVIOUS', undefined);
    if (from !== undefined) {
      s.versions.get(from)?.stages.delete('AWSCURRENT');
      s.versions.get(from)?.stages.add('AWSPREVIOUS');
    }
  }

  private updateStage(input: {
    SecretId?: string;
    VersionStage?: string;
    MoveToVersionId?: string;
    RemoveFromVersionId?: string;
  }) {
    const s = this.find(input.SecretId);
    const stage = input.VersionStage!;
    const holder = this.versionIdWith(s, stage);
    if (input.MoveToVersionId === undefined) {
      if (input.RemoveFromVersionId === undefined || holder !== input.RemoveFromVersionId) {
        throw awsError(
          'InvalidParameterException',
          `The staging label ${stage} is not on version ${input.RemoveFromVersionId}.`,
        );
      }
      s.versions.get(holder)?.stages.delete(stage);
      return { ARN: s.arn, Name: s.name };
    }
    const target = s.versions.get(input.MoveToVersionId);
    if (!target) throw awsError('ResourceNotFoundException', 'Version not found.');
    if (holder !== undefined && holder !== input.MoveToVersionId && holder !== input.RemoveFromVersionId) {
      throw awsError(
        'InvalidParameterException',
        `The staging label ${stage} is currently attached to version ${holder}. You must specify RemoveFromVersionId.`,
      );
    }
    if (stage === 'AWSCURRENT') this.promote(s, input.MoveToVersionId);
    else this.moveLabel(s, stage, input.MoveToVersionId);
    target.stages.add(stage);
    return { ARN: s.arn, Name: s.name };
  }
}
