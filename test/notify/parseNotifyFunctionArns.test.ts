import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.ts';
import { parseNotifyFunctionArns, ROTATION_NOTIFY_FUNCTION_ARNS } from '../../lib/notify/parseNotifyFunctionArns.ts';

const A = 'arn:aws:lambda:us-east-1:123456789012:function:consumer-a';
const B = 'arn:aws:lambda:eu-central-1:123456789012:function:consumer_b:live';

describe('Function: parseNotifyFunctionArns', () => {
  it('names the environment variable', () => {
    expect(ROTATION_NOTIFY_FUNCTION_ARNS).toBe('ROTATION_NOTIFY_FUNCTION_ARNS');
  });

  it.each([
    [undefined, []],
    ['', []],
    ['   ', []],
    [A, [A]],
    [` ${A} , ${B} `, [A, B]],
    [`${A},${A}`, [A]],
    [
      'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:$LATEST',
      ['arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:$LATEST'],
    ],
  ])('parses %o', (value, expected) => {
    expect(parseNotifyFunctionArns(value)).toEqual(expected);
  });

  it.each([
    [`${A},,${B}`, /entry 2 is empty/],
    [`${A},`, /entry 2 is empty/],
    ['consumer-a', /entry 1 must be a Lambda function ARN.*got "consumer-a"/],
    ['arn:aws:lambda:us-east-1:123:function:short-account', /entry 1/],
    ['arn:aws:sqs:us-east-1:123456789012:queue', /entry 1/],
    [`${A},arn:aws:lambda:us-east-1:123456789012:layer:x`, /entry 2/],
  ])('refuses %o with a ConfigError naming ROTATION_NOTIFY_FUNCTION_ARNS', (value, message) => {
    const thrown = (() => {
      try {
        parseNotifyFunctionArns(value);
      } catch (error) {
        return error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ setting: 'ROTATION_NOTIFY_FUNCTION_ARNS', code: 'CONFIG_INVALID' });
    expect((thrown as Error).message).toMatch(/^ROTATION_NOTIFY_FUNCTION_ARNS: /);
    expect((thrown as Error).message).toMatch(message);
  });
});
