/**
 * Just enough of IAM's documented condition semantics to ask, of a synthesized statement, whether it applies to a
 * request: the operators the construct's tag statements use, with single- and multivalued keys. A value in a policy
 * may be a CloudFormation token (`Fn::GetAtt` of a role's ARN), matched by equality with the principal given as the
 * same token; `Fn::Sub` is rendered with the partition `aws`.
 *
 * Semantics (IAM user guide, "Condition operators" and "Multivalued context keys"): ForAnyValue is false for a
 * missing or empty key; ForAllValues is true for a missing or empty key; a negated operator (…Not…) is true for a
 * missing single-valued key; Null {key: "false"} requires the key to be present.
 */

/** A request as the condition keys see it. */
export interface IamRequest {
  readonly action: string;
  /** aws:PrincipalArn: the role's ARN (a token object for a role in the stack). */
  readonly principalArn: unknown;
  /** aws:TagKeys of TagResource / UntagResource; absent for other actions. */
  readonly tagKeys?: readonly string[];
  /** aws:CalledVia: the services that called on the principal's behalf. */
  readonly calledVia?: readonly string[];
}

export interface IamStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

function render(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'Fn::Sub' in value) {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub placeholder, not a template
    return String((value as { 'Fn::Sub': string })['Fn::Sub']).replaceAll('${AWS::Partition}', 'aws');
  }
  return value;
}

function likeMatches(pattern: unknown, value: unknown): boolean {
  const rendered = render(pattern);
  if (typeof rendered !== 'string' || typeof value !== 'string')
    return JSON.stringify(rendered) === JSON.stringify(value);
  const regex = new RegExp(
    `^${rendered
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return regex.test(value);
}

function contextValues(request: IamRequest, key: string): readonly unknown[] | undefined {
  switch (key) {
    case 'aws:TagKeys':
      return request.tagKeys;
    case 'aws:CalledVia':
      return request.calledVia;
    case 'aws:PrincipalArn':
      return [request.principalArn];
    default:
      throw new Error(`the evaluator does not know the condition key ${key}`);
  }
}

function conditionHolds(operator: string, key: string, policyValue: unknown, request: IamRequest): boolean {
  const patterns = Array.isArray(policyValue) ? policyValue : [policyValue];
  const values = contextValues(request, key);
  const present = values !== undefined && values.length > 0;
  const anyPattern = (value: unknown, match: (pattern: unknown, value: unknown) => boolean) =>
    patterns.some((pattern) => match(pattern, value));
  const equals = (pattern: unknown, value: unknown) => JSON.stringify(render(pattern)) === JSON.stringify(value);
  switch (operator) {
    case 'ForAnyValue:StringLike':
      return present && values.some((value) => anyPattern(value, likeMatches));
    case 'ForAllValues:StringLike':
      return !present || values.every((value) => anyPattern(value, likeMatches));
    case 'ForAllValues:StringNotEquals':
      return !present || values.every((value) => !anyPattern(value, equals));
    case 'ArnNotLike':
      return !present || !anyPattern(values[0], likeMatches);
    case 'Null':
      return (patterns[0] === 'true') === !present;
    default:
      throw new Error(`the evaluator does not know the operator ${operator}`);
  }
}

/** Whether the statement covers the action and all its conditions hold. */
export function statementApplies(statement: IamStatement, request: IamRequest): boolean {
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  if (!actions.includes(request.action)) return false;
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, value]) => conditionHolds(operator, key, value, request)),
  );
}
