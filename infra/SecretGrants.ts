import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { secretArnPattern } from './secretArns.ts';

/** What one role may do on the rotator's secrets. */
export interface SecretGrantActions {
  /** Secrets Manager actions on every machine secret. */
  readonly machineSecret: readonly string[];
  /** KMS actions (via Secrets Manager only) on a machine secret's customer-managed key. */
  readonly machineSecretKey: readonly string[];
}

/**
 * A role's statements on the rotator's secrets, whose resources grow as machines are added: the machine-secret
 * actions, GetSecretValue on the instance-key secrets, KMS only via Secrets Manager (one statement per key, actions
 * merged). A statement is attached to the role when it gets its first resource, so no statement is ever empty.
 */
export class SecretGrants {
  private readonly machineSecrets: iam.PolicyStatement;
  private readonly instanceKeys = new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'] });
  private readonly instanceKeyArns = new Set<string>();
  private readonly keyStatements = new Map<kms.IKey, iam.PolicyStatement>();
  private readonly extraMachineStatements: { statement: iam.PolicyStatement; attach: () => void }[] = [];
  private machineCount = 0;

  constructor(
    private readonly role: iam.IRole,
    private readonly actions: SecretGrantActions,
  ) {
    this.machineSecrets = new iam.PolicyStatement({ actions: [...actions.machineSecret] });
    this.role.addToPrincipalPolicy(this.instanceKeys);
  }

  /**
   * A further statement whose resources are the machine secrets (e.g. conditional tagging, or one kept in another
   * policy): `attach` puts it in its policy when the first machine secret is added; it gets every machine secret.
   */
  addMachineStatement(statement: iam.PolicyStatement, attach: (statement: iam.PolicyStatement) => void): void {
    if (this.machineCount > 0) throw new Error('addMachineStatement must be called before the first machine secret');
    this.extraMachineStatements.push({ statement, attach: () => attach(statement) });
  }

  addMachineSecret(secret: secretsmanager.ISecret): void {
    if (this.machineCount === 0) {
      this.role.addToPrincipalPolicy(this.machineSecrets);
      for (const extra of this.extraMachineStatements) extra.attach();
    }
    this.machineCount += 1;
    const arn = secretArnPattern(secret);
    this.machineSecrets.addResources(arn);
    for (const extra of this.extraMachineStatements) extra.statement.addResources(arn);
    if (secret.encryptionKey !== undefined) this.allowKeyUse(secret.encryptionKey, this.actions.machineSecretKey);
  }

  addInstanceKeySecret(secret: secretsmanager.ISecret): void {
    const arn = secretArnPattern(secret);
    if (this.instanceKeyArns.has(arn)) return;
    this.instanceKeyArns.add(arn);
    this.instanceKeys.addResources(arn);
    if (secret.encryptionKey !== undefined) this.allowKeyUse(secret.encryptionKey, ['kms:Decrypt']);
  }

  /** KMS only through Secrets Manager in this region (kms:ViaService), never directly; one statement per key. */
  allowKeyUse(key: kms.IKey, actions: readonly string[]): void {
    const existing = this.keyStatements.get(key);
    if (existing !== undefined) {
      existing.addActions(...actions.filter((action) => !existing.actions.includes(action)));
      return;
    }
    const statement = new iam.PolicyStatement({
      actions: [...actions],
      resources: [key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this.role).region}.amazonaws.com` } },
    });
    this.keyStatements.set(key, statement);
    this.role.addToPrincipalPolicy(statement);
  }
}
