/** The cache key of one provider: the secret and the version stage, so AWSCURRENT and AWSPREVIOUS never mix. */
export function machineKeyCacheKey(secretId: string, versionStage: string): string {
  return JSON.stringify([secretId, versionStage]);
}
