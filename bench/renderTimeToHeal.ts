import { markdownTable } from './markdownTable.ts';
import type { TimeToHealMeasurement } from './measureTimeToHeal.ts';

export const minutes = (ms: number): string => `${(ms / 60_000).toFixed(1)} min`;

/** Whether every dashboard rotation was healed by the next scheduled run, in time, with no Clerk rotation. */
export function timeToHealMet(heal: TimeToHealMeasurement): boolean {
  return (
    heal.healedByNextRun === heal.dashboardRotations &&
    heal.maxMs <= heal.intervalMs + heal.longestRunMs &&
    heal.keysStillValidAtHeal === heal.dashboardRotations &&
    heal.apiRotations === 0
  );
}

/** Section 6 of bench/results.md. */
export function renderTimeToHeal(heal: TimeToHealMeasurement, command: string): string {
  return `## 6. Time to heal a dashboard rotation

\`${command}\` (${(heal.realMs / 1000).toFixed(1)} s of real time). A fresh local stack with ${heal.secrets} machine
secrets; the verification (\`lambda/verify.ts\`, the real handler, \`stack.verify()\`) runs on its default schedule,
every ${minutes(heal.intervalMs)}, in emulated time: the stack's clock is driven ${heal.timeScale}× faster than real
time (the runs' own work costs emulated time, ${heal.timeScale}× what it costs here) and jumps to each scheduled event.
An operator rotates ${heal.dashboardRotations} of the machines in Clerk's dashboard at moments spread evenly over one
interval, giving the replaced key the product's default overlap of ${minutes(heal.overlapMs)}. Time to heal is from
the dashboard rotation to the end of the healing rotation that puts Clerk's key in AWSCURRENT (emulated).

${markdownTable(
  ['', 'value'],
  [
    ['verification interval', minutes(heal.intervalMs)],
    ['overlap of the replaced key', minutes(heal.overlapMs)],
    ['time to heal, median', minutes(heal.medianMs)],
    ['time to heal, max', minutes(heal.maxMs)],
    ['max ÷ interval', `${(heal.maxMs / heal.intervalMs).toFixed(2)}×`],
    ['max ÷ overlap', `${(heal.maxMs / heal.overlapMs).toFixed(2)}×`],
    ['healed by the first run after the rotation', `${heal.healedByNextRun} of ${heal.dashboardRotations}`],
    ['longest run (paced Clerk calls)', minutes(heal.longestRunMs)],
    ['keys apps held still valid when healed', `${heal.keysStillValidAtHeal} of ${heal.dashboardRotations}`],
    ['rotations through Clerk’s API', String(heal.apiRotations)],
  ],
)}

Each drift waits for the next scheduled run, so the time to heal is at most one interval plus the time the run takes to
reach that secret; the rest of the overlap (${minutes(heal.overlapMs - heal.maxMs)} at worst here) is margin before apps
holding the replaced key would fail. Healing adopts Clerk's key through a Secrets Manager rotation: no Clerk rotate.
`;
}
