import type { Metafile } from 'esbuild';
import { bundleEntry } from './bundleEntry.ts';

export const ROTATION_HANDLER_ENTRY = 'lambda/rotate.ts';
export const CLERK_BACKEND_BASELINE_ENTRY = 'bench/fixtures/clerkBackendBaseline.ts';
/** The issue's goal for our own code, AWS SDK excluded. */
/**
 * 40 KB until the round that made the rotation safe against late landings and hostile input (rotate records, the last
 * check, key and text checks, the AWS error classifier) grew our code to about 51 KB; the goal moved with it
 * (docs/decisions/007-landing-horizon.md, "Costs") and stays well under @clerk/backend alone.
 */
export const OUR_BUNDLE_GOAL_BYTES = 60 * 1024;

export interface BundleContributor {
  /** A package (`p-retry`, `@aws-sdk/client-lambda`) or one of our files (`lib/errors.ts`). */
  readonly source: string;
  readonly bytes: number;
}

export interface BundleSize {
  readonly bytes: number;
  /** Largest contributors to the minified output, from esbuild's metafile. */
  readonly top: readonly BundleContributor[];
}

export interface BundleMeasurement {
  /** The rotation function, `@aws-sdk/*` external: the code this package adds. */
  readonly ours: BundleSize;
  /** The rotation function with the AWS SDK bundled, as the CDK construct ships it. */
  readonly withAwsSdk: BundleSize;
  /** The same three Clerk calls through `@clerk/backend`, bundled the same way. */
  readonly clerkBackendBaseline: BundleSize;
  readonly goalBytes: number;
}

const NODE_MODULES = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/;

/** Groups a metafile output's inputs by package (our own files stay individual) and keeps the largest. */
export function topContributors(metafile: Metafile, limit = 8): BundleContributor[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const source = NODE_MODULES.exec(input)?.[1] ?? input;
      totals.set(source, (totals.get(source) ?? 0) + bytesInOutput);
    }
  }
  return [...totals]
    .map(([source, bytes]) => ({ source, bytes }))
    .filter((contributor) => contributor.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, limit);
}

async function sizeOf(entry: string, bundleAwsSdk: boolean): Promise<BundleSize> {
  const { code, metafile } = await bundleEntry({ entry, bundleAwsSdk });
  return { bytes: code.byteLength, top: topContributors(metafile) };
}

/** Bundle sizes are deterministic: one build each is the measurement. */
export async function measureBundle(): Promise<BundleMeasurement> {
  const [ours, withAwsSdk, clerkBackendBaseline] = await Promise.all([
    sizeOf(ROTATION_HANDLER_ENTRY, false),
    sizeOf(ROTATION_HANDLER_ENTRY, true),
    sizeOf(CLERK_BACKEND_BASELINE_ENTRY, false),
  ]);
  return { ours, withAwsSdk, clerkBackendBaseline, goalBytes: OUR_BUNDLE_GOAL_BYTES };
}
