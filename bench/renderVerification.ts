import type { BenchResults } from './BenchResults.ts';
import { markdownTable } from './markdownTable.ts';

const counts = (byOperation: Readonly<Record<string, number>>) =>
  Object.entries(byOperation)
    .map(([operation, n]) => `${operation} ×${n}`)
    .join(', ') || '—';
const perMachine = (calls: number, machines: number) => (calls / machines).toFixed(2);

/** The summary table's row for the verification run. */
export function verificationSummaryRow(results: BenchResults): string[] {
  const v = results.verification;
  return [
    `Verification run over ${v.machines.toLocaleString('en-US')} machines (Clerk limit ${v.clerkRateLimitPer10Seconds}/10 s, ${v.clerkRateShare * 100} % share)`,
    `peak ${v.peakClerkCallsPer10Seconds} Clerk calls per 10 s; ${perMachine(v.clerkCalls, v.machines)} Clerk + ${perMachine(v.awsCalls, v.machines)} AWS calls per machine`,
    `share: ${v.allowedPer10Seconds} per 10 s`,
    `${(v.peakClerkCallsPer10Seconds / v.allowedPer10Seconds).toFixed(2)}×`,
    '—',
    '',
  ];
}

/** Section 6: one scheduled verification run over a large fleet, paced to its share of Clerk's limit. */
export function renderVerification(results: BenchResults): string {
  const v = results.verification;
  const pages = v.awsCallsByOperation.ListSecrets ?? 0;
  const minutes = v.stackMs / 60_000;
  return `## 7. Verification at ${v.machines.toLocaleString('en-US')} machines

One scheduled verification run (\`lambda/verify.ts\`, the real handler, real SDK client and fetch) over
${v.machines.toLocaleString('en-US')} machine secrets, all in sync, on the local stack
(\`bench/measureVerification.ts\`). Clerk's emulator enforces a production instance's limit
(${v.clerkRateLimitPer10Seconds} per 10 s) and the function is configured with it and a
${v.clerkRateShare * 100} % share (\`CLERK_RATE_LIMIT_PER_10_SECONDS\`, \`VERIFY_CLERK_RATE_SHARE\`): its pacer allows
${v.allowedPer10Seconds} Clerk calls per 10 s. Time is simulated: the emulators' clock moves only when every call
has returned and the run waits on its pacer (\`bench/verification/createQuiescentTime.ts\`), so each paced call
reaches Clerk at the moment its pacer gave it, and the stack's time is what the run takes in AWS less network
latency. Each invocation has Lambda's 15 minutes; when time runs short the run hands the rest to a continuation,
run here at once. The secrets' rotation is enabled with a stand-in function ARN (set-up only).

${markdownTable(
  ['', 'value'],
  [
    ['secrets verified', `${v.verified} (${counts(v.counts)})`],
    [
      'time of the run in AWS (stack clock)',
      `${(v.stackMs / 1000).toFixed(0)} s (${minutes.toFixed(1)} min), ${v.invocations} invocation(s)`,
    ],
    ['wall time here (this machine’s CPU)', `${(v.wallMs / 1000).toFixed(1)} s`],
    [
      'Clerk calls',
      `${v.clerkCalls} (${counts(v.clerkCallsByOperation)}): ${perMachine(v.clerkCalls, v.machines)} per machine`,
    ],
    [
      'peak Clerk calls in any 10 s (sliding)',
      `${v.peakClerkCallsPer10Seconds} against a share of ${v.allowedPer10Seconds} (${v.clerkRateLimitPer10Seconds} × ${v.clerkRateShare})`,
    ],
    ['Clerk 429s', String(v.clerk429s)],
    [
      'Secrets Manager calls',
      `${v.awsCalls} (${counts(v.awsCallsByOperation)}): ${perMachine(v.awsCalls, v.machines)} per machine, ${pages} ListSecrets pages`,
    ],
  ],
)}

The pacer spaces a run's calls ${(10_000 / v.allowedPer10Seconds).toFixed(0)} ms apart, so a window holds at most the
share plus one (its documented bound). A continuation starts a pacer of its own: its first call may follow the last
one of the invocation before by less than the gap, which is where a window above the share comes from when there is
one. At this pace one run over ${v.machines.toLocaleString('en-US')} machines takes ${minutes.toFixed(1)} minutes,
${minutes <= 60 ? 'inside' : '**longer than**'} the default hourly interval.`;
}
