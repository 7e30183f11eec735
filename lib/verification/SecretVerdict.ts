/** What the verification found for one managed machine secret. */
export type VerificationOutcome =
  /** AWSCURRENT holds Clerk's current key. */
  | 'in-sync'
  /** AWSPENDING sits on a young version: a rotation is running and decides (its finishSecret checks Clerk). */
  | 'rotation-in-progress'
  /** AWSPENDING sits on a version older than the stuck threshold; AWSCURRENT is Clerk's key. */
  | 'pending-stuck'
  /** AWSCURRENT's key is not Clerk's current key: a dashboard rotation, a late rotate. */
  | 'drift'
  /** The secret cannot be verified as it stands (value, binding, instance-key tag): a typed error code says why. */
  | 'invalid'
  /** Secrets Manager or Clerk could not be asked. */
  | 'failed';

/** What was done about drift. */
export type HealState =
  | { readonly state: 'started'; readonly versionId: string | undefined }
  /** A recorded rotate may still land: healing now could adopt a key that is replaced a moment later. */
  | { readonly state: 'waiting'; readonly until: string }
  /** A rotation is already running; it will settle on Clerk's key (or refuse to promote and heal). */
  | { readonly state: 'rotation-running' }
  | { readonly state: 'failed'; readonly errorCode: string }
  | { readonly state: 'off' };

export interface SecretVerdict {
  readonly secretArn: string;
  readonly name: string;
  readonly machineId: string | undefined;
  readonly outcome: VerificationOutcome;
  /** Only asked when AWSCURRENT is not Clerk's key: does Clerk still accept it? */
  readonly currentKeyAccepted?: boolean | undefined;
  readonly heal?: HealState | undefined;
  /** AWSPENDING on a version other than AWSCURRENT, and its age. */
  readonly pending?:
    | { readonly versionId: string; readonly ageSeconds: number | undefined; readonly stuck: boolean }
    | undefined;
  readonly errorCode?: string | undefined;
  /** One line for humans; never a key. */
  readonly detail: string;
}
