import { TagKey } from '../../constants.ts';
import type { Redacted } from '../../Redacted.ts';
import { type BindingProof, describeBindingProof } from '../confirmMachineBinding.ts';
import { type Line, type ReportView, tone } from '../createOutput.ts';
import { describeRotation, describeRules, type RotationFields, rotationDocument } from '../describeRotation.ts';
import { ExitCode } from '../ExitCode.ts';

/** What `init` did to one secret, and the secret's rotation as Secrets Manager reports it afterwards. */
export interface InitReport {
  readonly action: 'created' | 'adopted';
  readonly secret: { readonly name: string; readonly arn: string };
  readonly machineId: string;
  /** The version written; undefined when the secret already held Clerk's current key. */
  readonly versionId: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** An adopted secret had no binding tag: init added it after Clerk confirmed the machine, this way. */
  readonly bindingAdded: BindingProof | undefined;
  /** DescribeSecret after init. */
  readonly rotation: RotationFields;
  /** Whether this run enabled rotation (--rotation-function and --schedule). */
  readonly rotationConfiguredNow: boolean;
  /** The key, only when --show-key asked for it. */
  readonly revealedKey: Redacted | undefined;
}

function rotationText(report: InitReport): string {
  const { rotation } = report;
  const functionArn = rotation.rotationLambdaArn;
  if (functionArn === undefined && !rotation.rotationEnabled) {
    return 'not configured (pass --rotation-function and --schedule to enable it)';
  }
  if (report.rotationConfiguredNow) {
    return `enabled with ${functionArn ?? 'no function'}, ${describeRules(rotation.rotationRules)}; not rotated now (RotateImmediately=false: Secrets Manager runs testSecret once)`;
  }
  return `${describeRotation(rotation)}, with ${functionArn ?? 'no function'} (as it was; init did not change it)`;
}

function initLines(report: InitReport): Line[] {
  const row = (label: string, value: string): Line => `  ${label.padEnd(10)}${value}`;
  const verb = report.action === 'created' ? 'Created' : 'Adopted';
  return [
    [tone.ok(`${verb} secret ${report.secret.name} for machine ${report.machineId}`)],
    row('arn', report.secret.arn),
    row(
      'value',
      report.versionId === undefined
        ? "unchanged: it already holds Clerk's current key"
        : `Clerk's current key written as version ${report.versionId} (AWSCURRENT)`,
    ),
    row(
      'tags',
      Object.entries(report.tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(', '),
    ),
    ...(report.bindingAdded === undefined
      ? []
      : [row('binding', `${TagKey.machineId} added: ${describeBindingProof(report.bindingAdded)}`)]),
    row('rotation', rotationText(report)),
    report.revealedKey === undefined
      ? row('key', 'not shown (pass --show-key to print it)')
      : [`  ${'key'.padEnd(10)}`, { revealed: report.revealedKey.reveal() }],
  ];
}

export function initView(report: InitReport): ReportView {
  const { rotation } = report;
  const configured = rotation.rotationLambdaArn !== undefined || rotation.rotationEnabled;
  return {
    exitCode: ExitCode.ok,
    lines: initLines(report),
    document: {
      ok: true,
      action: report.action,
      secret: report.secret,
      machineId: report.machineId,
      versionId: report.versionId ?? null,
      valueWritten: report.versionId !== undefined,
      tags: report.tags,
      bindingAdded: report.bindingAdded ?? null,
      rotation: configured
        ? {
            ...rotationDocument(rotation),
            configuredNow: report.rotationConfiguredNow,
            ...(report.rotationConfiguredNow ? { rotateImmediately: false } : {}),
          }
        : null,
      ...(report.revealedKey === undefined ? {} : { secretKey: report.revealedKey.reveal() }),
    },
    revealKeys: report.revealedKey !== undefined,
  };
}
