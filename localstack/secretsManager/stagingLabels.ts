import { Stage } from '../../lib/constants.ts';
import type { SecretRecord, SecretVersion } from './SecretRecord.ts';

export const findVersionWithLabel = (secret: SecretRecord, label: string): SecretVersion | undefined => {
  for (const version of secret.versions.values()) {
    if (version.stages.includes(label)) return version;
  }
  return undefined;
};

export const detachLabel = (version: SecretVersion, label: string): void => {
  version.stages = version.stages.filter((stage) => stage !== label);
};

/**
 * Attaches `label` to `target`, taking it off whichever version had it: a label lives on exactly one version. Moving
 * AWSCURRENT puts AWSPREVIOUS on the version that had AWSCURRENT, as Secrets Manager does. Callers check
 * RemoveFromVersionId first; this only performs the move.
 */
export const attachLabel = (secret: SecretRecord, target: SecretVersion, label: string): void => {
  const holder = findVersionWithLabel(secret, label);
  if (holder === target) return;
  if (holder !== undefined) detachLabel(holder, label);
  target.stages.push(label);
  if (label === Stage.current && holder !== undefined) {
    const previousHolder = findVersionWithLabel(secret, Stage.previous);
    if (previousHolder !== undefined) detachLabel(previousHolder, Stage.previous);
    holder.stages.push(Stage.previous);
  }
};

/** Versions that still carry a label; the others are deprecated. */
export const labelledVersions = (secret: SecretRecord): SecretVersion[] =>
  [...secret.versions.values()].filter((version) => version.stages.length > 0);

export const versionIdsToStages = (secret: SecretRecord): Record<string, string[]> | undefined => {
  const labelled = labelledVersions(secret);
  if (labelled.length === 0) return undefined;
  return Object.fromEntries(labelled.map((version) => [version.versionId, [...version.stages]]));
};
