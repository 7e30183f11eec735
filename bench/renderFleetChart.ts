import type { FleetMeasurement } from './measureFleet.ts';

const WIDTH = 720;
const HEIGHT = 400;
const MARGIN = { top: 48, right: 24, bottom: 48, left: 64 } as const;

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** 1, 2 or 5 times a power of ten, so that about `count` ticks cover `max`. */
function tickStep(max: number, count: number): number {
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

/**
 * Completed rotations over time (real seconds) against the floor the rate limit sets, and, when given, what the
 * machine managed with no limit at all. Hand-written SVG, no dependencies.
 */
export function renderFleetChart(
  fleet: FleetMeasurement,
  unlimitedRotationsPerSecond?: number,
  /** Appended to the title, e.g. the faults injected. */
  titleNote = '',
): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const maxSeconds = (Math.max(fleet.totalMs, fleet.floorMs) / 1_000) * 1.05;
  const x = (seconds: number) => MARGIN.left + (seconds / maxSeconds) * plotWidth;
  const y = (completed: number) => MARGIN.top + plotHeight - (completed / fleet.secrets) * plotHeight;
  const fixed = (n: number) => n.toFixed(1);

  const parts: string[] = [];
  const xStep = tickStep(maxSeconds, 8);
  for (let t = 0; t <= maxSeconds; t += xStep) {
    parts.push(
      `<line x1="${fixed(x(t))}" y1="${MARGIN.top}" x2="${fixed(x(t))}" y2="${MARGIN.top + plotHeight}" stroke="#eee"/>`,
      `<text x="${fixed(x(t))}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${Number(t.toFixed(3))}</text>`,
    );
  }
  const yStep = tickStep(fleet.secrets, 5);
  for (let n = 0; n <= fleet.secrets; n += yStep) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${fixed(y(n))}" x2="${MARGIN.left + plotWidth}" y2="${fixed(y(n))}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 8}" y="${fixed(y(n) + 4)}" text-anchor="end">${n}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 8}" text-anchor="middle">seconds (real time)</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">rotations completed</text>`,
  );

  if (unlimitedRotationsPerSecond !== undefined && unlimitedRotationsPerSecond > 0) {
    const seconds = Math.min(maxSeconds, fleet.secrets / unlimitedRotationsPerSecond);
    parts.push(
      `<line x1="${x(0)}" y1="${y(0)}" x2="${fixed(x(seconds))}" y2="${fixed(y(seconds * unlimitedRotationsPerSecond))}" stroke="#999" stroke-dasharray="2 4" stroke-width="1.5"/>`,
    );
  }
  if (fleet.floorMs > 0) {
    parts.push(
      `<line x1="${x(0)}" y1="${y(0)}" x2="${fixed(x(fleet.floorMs / 1_000))}" y2="${y(fleet.secrets)}" stroke="#d62728" stroke-dasharray="6 4" stroke-width="1.5"/>`,
    );
  }
  // The legend sits top left, above the rising lines. At most ~400 points: every n-th completion, always the last.
  const every = Math.max(1, Math.ceil(fleet.progress.length / 400));
  const points = fleet.progress.filter((_, i) => i % every === 0 || i === fleet.progress.length - 1);
  parts.push(
    `<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${points
      .map((p) => `${fixed(x(p.atMs / 1_000))},${fixed(y(p.completed))}`)
      .join(' ')}"/>`,
  );

  const legend: Array<[string, string, string]> = [
    ['#1f77b4', '', `measured: ${fleet.secrets} rotations in ${(fleet.totalMs / 1_000).toFixed(1)} s`],
  ];
  if (fleet.floorMs > 0) {
    legend.push(['#d62728', '6 4', `rate-limit floor: ${(fleet.floorMs / 1_000).toFixed(1)} s`]);
  }
  if (unlimitedRotationsPerSecond !== undefined) {
    legend.push(['#999', '2 4', `this machine, no limit: ${unlimitedRotationsPerSecond.toFixed(1)} rotations/s`]);
  }
  legend.forEach(([color, dash, label], i) => {
    const ly = MARGIN.top + 18 + i * 18;
    parts.push(
      `<line x1="${MARGIN.left + 12}" y1="${ly - 4}" x2="${MARGIN.left + 36}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text x="${MARGIN.left + 42}" y="${ly}">${escapeXml(label)}</text>`,
    );
  });

  const title = `${fleet.secrets} rotations, ${fleet.concurrency} at a time, Clerk development limit ${fleet.limit} per ${Number((fleet.windowMs / 1_000).toPrecision(3))} s (10 s ÷ ${fleet.scale}, ${fleet.scaling}-scaled)${titleNote}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12" role="img" aria-labelledby="fleet-title">`,
    `<title id="fleet-title">${escapeXml(`Completed rotations over time against the rate-limit floor: ${title}`)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="13">${escapeXml(title)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
