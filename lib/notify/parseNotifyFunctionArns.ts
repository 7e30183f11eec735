import { EnvVar } from '../constants.ts';
import { describeValue } from '../describeValue.ts';
import { ConfigError } from '../errors.ts';

/**
 * The rotation function's environment variable listing the Lambda functions to notify after a rotation:
 * comma-separated function ARNs (a version or alias qualifier is allowed). Empty or unset turns notifications off.
 */
export const ROTATION_NOTIFY_FUNCTION_ARNS = EnvVar.notifyFunctionArns;

/** arn:<partition>:lambda:<region>:<12-digit account>:function:<name>[:<version or alias>] */
const LAMBDA_FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

export function isLambdaFunctionArn(value: string): boolean {
  return LAMBDA_FUNCTION_ARN.test(value);
}

/**
 * Parses ROTATION_NOTIFY_FUNCTION_ARNS. Whitespace around entries is ignored and duplicates are dropped; an empty
 * entry or anything that is not a full Lambda function ARN is refused (a bare function name would resolve in the
 * rotation function's own account and region, which is rarely what was meant).
 */
export function parseNotifyFunctionArns(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const entries = value.split(',').map((entry) => entry.trim());
  const arns: string[] = [];
  for (const [index, entry] of entries.entries()) {
    if (entry === '') {
      throw new ConfigError(
        ROTATION_NOTIFY_FUNCTION_ARNS,
        `entry ${index + 1} is empty; expected comma-separated Lambda function ARNs such as arn:aws:lambda:us-east-1:123456789012:function:my-consumer`,
      );
    }
    if (!isLambdaFunctionArn(entry)) {
      throw new ConfigError(
        ROTATION_NOTIFY_FUNCTION_ARNS,
        `entry ${index + 1} must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]), got ${describeValue(entry)}`,
      );
    }
    if (!arns.includes(entry)) arns.push(entry);
  }
  return arns;
}
