import type { FleetScaleChoice } from './chooseFleetScale.ts';
import type { MachineInfo } from './describeMachine.ts';
import type { BundleMeasurement } from './measureBundle.ts';
import type { ColdInitMeasurement } from './measureColdInit.ts';
import type { FaultyFleetMeasurement } from './measureFaultyFleet.ts';
import type { FleetMeasurement } from './measureFleet.ts';
import type { NotifyColdInitMeasurement } from './measureNotifyColdInit.ts';
import type { RateBudgetMeasurement } from './measureRateBudget.ts';
import type { ReaderRuns } from './measureReader.ts';
import type { ReaderPeerComparison } from './measureReaderPeers.ts';
import type { RotationCallsMeasurement } from './measureRotationCalls.ts';
import type { TimeToHealMeasurement } from './measureTimeToHeal.ts';
import type { VerificationMeasurement } from './measureVerification.ts';

/** Everything one `bench/run.ts` run measured; written to bench/results.json. */
export interface BenchResults {
  readonly generatedAt: string;
  readonly command: string;
  readonly durationMs: number;
  readonly machine: MachineInfo;
  readonly loadAverageAtEnd: readonly [number, number, number];
  /** Wall time of each section, ms. */
  readonly sectionMs: Readonly<Record<string, number>>;
  readonly bundle: BundleMeasurement;
  readonly coldInit: ColdInitMeasurement;
  /** The same bundle's first invocation with and without ROTATION_NOTIFY_FUNCTION_ARNS (the Lambda client loaded or not). */
  readonly notifyColdInit: NotifyColdInitMeasurement;
  readonly rotationCalls: RotationCallsMeasurement;
  readonly fleet: {
    /** A short unlimited run that sizes the time compression (see chooseFleetScale). */
    readonly calibration: Omit<FleetMeasurement, 'progress'>;
    /** `chosenBy`: the calibration (chooseFleetScale) or `--fleet-scale`. */
    readonly scaleChoice: FleetScaleChoice & { readonly chosenBy: 'calibration' | 'option' };
    readonly run: FleetMeasurement;
  };
  readonly reader: ReaderRuns;
  /** Absent in results written before it was measured; `--only=time-to-heal` adds or replaces it alone. */
  readonly timeToHeal?: TimeToHealMeasurement & { readonly command: string; readonly measuredAt: string };
  /** A simulated month of a 10,000-machine fleet against the rate budget's prediction (absent in older results). */
  readonly rateBudget?: RateBudgetMeasurement;
  /** The fleet with faults, emulators and rotation functions in worker threads (measureFaultyFleet). */
  readonly faultyFleet: {
    /** The same layout unlimited and without faults: what sizes its compression. */
    readonly calibration: Omit<FaultyFleetMeasurement, 'progress'>;
    readonly scaleChoice: FleetScaleChoice & { readonly chosenBy: 'calibration' | 'option' };
    readonly run: FaultyFleetMeasurement;
  };
  /** One scheduled verification run over a large fleet (measureVerification). */
  readonly verification: VerificationMeasurement;
  /** The reader against Powertools for AWS Lambda's SecretsProvider (measureReaderPeers). */
  readonly readerPeers: ReaderPeerComparison;
}

export interface GoalResult {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
  /** Why, when missed (or what limits the claim). */
  readonly note: string;
}
