import { Stage } from '../../lib/constants.ts';
import { AwsErrorName, AwsServiceError, invalidParameter, invalidRequest, resourceExists } from './errors.ts';
import type { RotationFunctionRegistry } from './RotationFunctionRegistry.ts';
import type { RotationLog } from './RotationLog.ts';
import type { RotationDriver } from './rotationDriver.ts';
import { nextRotationDate, validateRotationRules } from './rotationSchedule.ts';
import type { SecretVersion } from './SecretRecord.ts';
import { readClientRequestToken, type SecretsState } from './SecretsState.ts';
import { arnAndName } from './secretOutputs.ts';
import { attachLabel, findVersionWithLabel } from './stagingLabels.ts';
import { optionalBoolean, optionalObject, optionalString, requiredString, type WireObject } from './wireInput.ts';

type WireOutput = Record<string, unknown>;

/**
 * - `sync` (default): RotateSecret answers after the rotation (all attempts) has ended, so a test can assert right
 *   after `await client.send(new RotateSecretCommand(...))`.
 * - `async`: RotateSecret answers at once, as AWS does; await `rotationsIdle()` before asserting.
 */
export type RotationExecution = 'sync' | 'async';

export interface RotationDeps {
  readonly state: SecretsState;
  readonly driver: RotationDriver;
  readonly functions: RotationFunctionRegistry;
  readonly log: RotationLog;
  readonly execution: RotationExecution;
}

const NO_FUNCTION =
  "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call.";

/**
 * RotateSecret as Secrets Manager runs it: stores the configuration (RotationEnabled true), refuses while AWSPENDING
 * sits on a version other than AWSCURRENT, registers the token as a valueless AWSPENDING version and drives the
 * function through the four steps. With RotateImmediately=false only testSecret runs, against a temporary AWSPENDING
 * copy of the current value that is removed afterwards.
 */
export const rotateSecret = async (deps: RotationDeps, input: WireObject): Promise<WireOutput> => {
  const { state, driver, functions, log } = deps;
  const secret = state.requireLive(requiredString(input, 'SecretId'));
  const token = readClientRequestToken(input);
  const rulesInput = optionalObject(input, 'RotationRules');
  const rules = rulesInput === undefined ? undefined : validateRotationRules(rulesInput);
  const requestedArn = optionalString(input, 'RotationLambdaARN', { max: 2048 });
  const rotateImmediately = optionalBoolean(input, 'RotateImmediately') ?? true;

  // The SDK resends the same ClientRequestToken when it retries a RotateSecret whose response was lost.
  if (token !== undefined && (driver.isInFlight(secret.arn, token) || log.has(secret.arn, token, ['succeeded']))) {
    return { ...arnAndName(secret), VersionId: token };
  }

  const functionArn = requestedArn ?? secret.rotation?.lambdaArn;
  if (functionArn === undefined) throw invalidRequest(NO_FUNCTION);
  const fn = functions.lookup(functionArn);
  if (fn === undefined) {
    if (requestedArn !== undefined && !requestedArn.startsWith('arn:')) {
      throw invalidParameter(`RotationLambdaARN must be a Lambda function ARN, got ${requestedArn}.`);
    }
    throw new AwsServiceError(
      AwsErrorName.accessDenied,
      'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
    );
  }

  const pending = findVersionWithLabel(secret, Stage.pending);
  const current = findVersionWithLabel(secret, Stage.current);
  if (pending !== undefined && pending !== current) {
    throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
  }
  const versionId = token ?? state.newVersionId();
  if (secret.versions.has(versionId)) {
    throw resourceExists(
      `You can't use ClientRequestToken ${versionId} because that value is already in use for a version of secret ${secret.arn}.`,
    );
  }

  const now = state.now();
  secret.rotation = { enabled: true, lambdaArn: functionArn, rules: rules ?? secret.rotation?.rules };
  secret.nextRotationAt = nextRotationDate(secret.rotation.rules, secret.lastRotatedAt ?? now);
  secret.lastChangedAt = now;

  const version: SecretVersion = {
    versionId,
    createdAt: now,
    value: rotateImmediately ? undefined : current?.value,
    stages: [],
    lastAccessedAt: undefined,
  };
  secret.versions.set(versionId, version);
  attachLabel(secret, version, Stage.pending);

  const completion = driver.start({
    secret,
    versionId,
    fn,
    invokedFunctionArn: functionArn,
    mode: rotateImmediately ? 'rotate' : 'test',
  });
  if (deps.execution === 'sync') await completion;
  return { ...arnAndName(secret), VersionId: versionId };
};

/**
 * CancelRotateSecret: turns automatic rotation off and stops a rotation in progress after its current step. The
 * partially created version keeps its AWSPENDING label (AWS says to remove it yourself) and is returned as VersionId.
 */
export const cancelRotateSecret = (deps: RotationDeps, input: WireObject): WireOutput => {
  const secret = deps.state.requireLive(requiredString(input, 'SecretId'));
  if (secret.rotation === undefined || secret.rotation.lambdaArn === '') throw invalidRequest(NO_FUNCTION);
  secret.rotation.enabled = false;
  secret.nextRotationAt = undefined;
  secret.lastChangedAt = deps.state.now();
  deps.driver.cancel(secret);
  const pending = findVersionWithLabel(secret, Stage.pending);
  const current = findVersionWithLabel(secret, Stage.current);
  return {
    ...arnAndName(secret),
    ...(pending !== undefined && pending !== current ? { VersionId: pending.versionId } : {}),
  };
};
