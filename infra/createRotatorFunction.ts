import type { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { LogLevel } from '../lib/Logger.ts';
import { type FunctionBundling, functionCode, type RotatorFunctionName } from './functionCode.ts';
import { SOURCE_MAP_ENVIRONMENT } from './functionEnvironment.ts';
import { LAMBDA_LOG_LEVELS } from './lambdaLogLevels.ts';

/** ec2:CreateNetworkInterface and friends, which a function in a VPC needs; nothing else. */
const VPC_MANAGED_POLICY = 'service-role/AWSLambdaENIManagementAccess';

/** The settings both of the rotator's functions share. */
export interface SharedFunctionSettings {
  readonly runtime: lambda.Runtime;
  readonly architecture: lambda.Architecture;
  readonly logLevel: LogLevel;
  readonly logRetention: logs.RetentionDays;
  readonly bundling: FunctionBundling;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

export interface RotatorFunctionOptions {
  readonly name: RotatorFunctionName;
  readonly description: string;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  readonly code: lambda.Code | undefined;
  /** Lambda's own retries of a failed asynchronous invocation. @default - Lambda's default (2) */
  readonly retryAttempts?: number;
}

/** A function with its own log group and its own role. */
export interface RotatorFunction {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/**
 * Creates one of the rotator's functions: its own log group (JSON log format, levels from `LOG_LEVEL`), its own
 * role (CDK's default would attach AWSLambdaBasicExecutionRole, logs:* on every group) allowed to write only there,
 * and the code chosen by `functionCode`. Created in `scope` with ids `<prefix>LogGroup`, `<prefix>ServiceRole`,
 * `<prefix>Function`.
 */
export function createRotatorFunction(
  scope: Construct,
  prefix: string,
  shared: SharedFunctionSettings,
  options: RotatorFunctionOptions,
): RotatorFunction {
  const code = functionCode(options.name, options.code, shared.bundling);
  const logGroup = new logs.LogGroup(scope, `${prefix}LogGroup`, { retention: shared.logRetention });
  const role = new iam.Role(scope, `${prefix}ServiceRole`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: options.description,
  });
  logGroup.grantWrite(role);
  if (shared.vpc !== undefined) {
    // With a role of our own, Lambda's ENI permissions are ours to add; AWS maintains this policy as they change.
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(VPC_MANAGED_POLICY));
  }
  const levels = LAMBDA_LOG_LEVELS[shared.logLevel];
  const fn = new nodejs.NodejsFunction(scope, `${prefix}Function`, {
    description: options.description,
    runtime: shared.runtime,
    architecture: shared.architecture,
    memorySize: 256,
    timeout: options.timeout,
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: levels.applicationLogLevel,
    systemLogLevelV2: levels.systemLogLevel,
    environment: { ...options.environment, ...(code.hasSourceMap ? SOURCE_MAP_ENVIRONMENT : {}) },
    retryAttempts: options.retryAttempts,
    vpc: shared.vpc,
    vpcSubnets: shared.vpcSubnets,
    securityGroups: shared.securityGroups,
    ...code.props,
  });
  return { fn, role, logGroup };
}
