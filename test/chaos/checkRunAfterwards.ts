import { ErrorCode } from '../../lib/errors.ts';
import { checkNoKeyLogged } from '../support/rotationInvariants.ts';
import type { RunContext } from './RunContext.ts';
import { countIn } from './RunStats.ts';

/** Once a run is over: I2 over all its rotations, I5 over everything it printed, and its summary counts. */
export function checkRunAfterwards(ctx: RunContext): void {
  const lines = ctx.parsedLogs();
  for (const line of lines) if (line.outcome === 'failed') countIn(ctx.stats.errorCodes, line.errorCode ?? 'unknown');
  ctx.stats.adoptions += lines.filter((l) => l.adopted === true && l.outcome === 'adopted').length;
  ctx.stats.promotionsRefused += lines.filter((l) => l.outcome === 'promotion-refused').length;
  ctx.stats.overlapExpiredReports += lines.filter(
    (l) => l.errorCode === ErrorCode.overlapExpired && l.level === 'error',
  ).length;
  for (const [token, count] of ctx.lineage.rotationsByToken) {
    // An emergency never adopts (007): each createSecret that failed — its rotate may have landed, its key unstored
    // — is followed by a new rotate. The key that kills was never stored; AWSCURRENT's died with the first.
    const failed = lines.filter((l) => l.versionId === token && l.step === 'createSecret' && l.outcome === 'failed');
    const allowed = 1 + (ctx.ttlSeconds === 0 ? failed.length : 0);
    if (count > allowed) {
      ctx.violate(
        `I2: Clerk's rotate took effect ${count} times for ClientRequestToken ${token}, at most ${allowed} allowed`,
      );
    }
  }
  if (ctx.lineage.unattributed > 0) {
    ctx.violate(`I2: ${ctx.lineage.unattributed} API rotation(s) at Clerk that no rotate of the function explains`);
  }
  const keys = [...ctx.lineage.generationOf.keys(), ctx.stack.clerk.defaultInstance.secretKey];
  ctx.violations.push(...checkNoKeyLogged([...ctx.logs, ...ctx.messages], keys));
}
