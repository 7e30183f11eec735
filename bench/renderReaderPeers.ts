import type { BenchResults } from './BenchResults.ts';
import { markdownTable } from './markdownTable.ts';

const mega = (value: number) => `${(value / 1e6).toFixed(2)} M/s`;

/** The summary table's rows for the reader against Powertools. */
export function readerPeerSummaryRows(results: BenchResults): string[][] {
  const peers = results.readerPeers;
  return [
    [
      `Reader vs Powertools ${peers.powertoolsVersion} SecretsProvider: hot get() (median of ${peers.rounds})`,
      mega(peers.hot.ours),
      `Powertools: ${mega(peers.hot.powertools)}`,
      `${peers.hot.ratio.toFixed(2)}×`,
      '—',
      '',
    ],
    [
      `Reader vs Powertools: GetSecretValue for ${peers.cold.reads.toLocaleString('en-US')} concurrent cold reads`,
      String(peers.cold.oursCalls),
      `Powertools: ${peers.cold.powertoolsCalls.toLocaleString('en-US')}`,
      `1/${Math.round(peers.cold.powertoolsCalls / peers.cold.oursCalls).toLocaleString('en-US')}`,
      '—',
      '',
    ],
  ];
}

/** Section 5's second part: our reader against the one users would pick instead. */
export function renderReaderPeers(results: BenchResults): string {
  const peers = results.readerPeers;
  return `### Against Powertools for AWS Lambda (Parameters)

The library an AWS user would pick instead: \`@aws-lambda-powertools/parameters\` ${peers.powertoolsVersion}
(a pinned dev dependency), \`SecretsProvider\` — what \`getSecret\` wraps — with \`transform: 'json'\` and the same
maxAge as ours (${peers.maxAgeSeconds} s; its default is 5 s). Both get their own copy of one stub: a real
\`SecretsManagerClient\` whose GetSecretValue is answered in-process (aws-sdk-client-mock), with no latency for hot
reads and ${peers.cold.stubLatencyMs} ms for cold ones (\`bench/measureReaderPeers.ts\`). Hot reads: one awaited
\`get()\` after another with the cache warm, ${peers.rounds} interleaved rounds, the one going first alternating.

${markdownTable(
  ['', 'ours (`createMachineKeyProvider`)', 'Powertools `SecretsProvider`', 'ratio'],
  [
    [
      'hot reads per second, median',
      mega(peers.hot.ours),
      mega(peers.hot.powertools),
      `${peers.hot.ratio.toFixed(2)}× (median of per-round ratios; quartiles ${peers.hot.ratioQuartiles.map((r) => r.toFixed(2)).join('–')})`,
    ],
    [
      `GetSecretValue for ${peers.cold.reads.toLocaleString('en-US')} concurrent cold reads`,
      String(peers.cold.oursCalls),
      peers.cold.powertoolsCalls.toLocaleString('en-US'),
      `1/${Math.round(peers.cold.powertoolsCalls / peers.cold.oursCalls).toLocaleString('en-US')}`,
    ],
    [
      'time until all of them had a value',
      `${peers.cold.oursMs.toFixed(0)} ms`,
      `${peers.cold.powertoolsMs.toFixed(0)} ms`,
      `${(peers.cold.oursMs / peers.cold.powertoolsMs).toFixed(2)}×`,
    ],
  ],
)}

Powertools caches a value once it has arrived but does not share a fetch in flight, so every read that finds the
cache cold calls Secrets Manager; ours keeps one GetSecretValue in flight for all of them.`;
}
