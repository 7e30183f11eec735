import { parseArgs } from 'node:util';
import { EnvVar, Limits } from '../lib/constants.ts';
import { InvalidEmulatorOptionError } from './common/errors.ts';

/** What `npm run local-stack` was asked for. */
export interface LocalStackCliOptions {
  readonly clerkPort: number;
  readonly secretsManagerPort: number;
  /** Where the rotation function's JSON log lines go; undefined: the terminal (stdout). */
  readonly logFile: string | undefined;
  /** Environment of the rotation function: the settings given on the command line. */
  readonly functionEnv: Readonly<Record<string, string>>;
  readonly help: boolean;
}

export const LOCAL_STACK_USAGE = `Usage: npm run local-stack -- [options]

  --log-file <path>                 append the rotation function's log lines to <path> (default: this terminal)
  --previous-key-ttl <seconds>      PREVIOUS_KEY_TTL_SECONDS: how long the replaced key keeps working (${Limits.previousKeyTtlSeconds.min}-${Limits.previousKeyTtlSeconds.max})
  --min-rotation-interval <seconds> MIN_ROTATION_INTERVAL_SECONDS: no Clerk rotation sooner after the last (${Limits.minRotationIntervalSeconds.min}-${Limits.minRotationIntervalSeconds.max})
  --landing-horizon <seconds>       ROTATE_LANDING_HORIZON_SECONDS: how long a rotate sent to Clerk may still land (${Limits.rotateLandingHorizonSeconds.min}-${Limits.rotateLandingHorizonSeconds.max})
  --help                            this text

Ports: LOCAL_STACK_CLERK_PORT (default 4010), LOCAL_STACK_SECRETS_MANAGER_PORT (default 4566).`;

/** The seconds options, the variable each becomes, and the range the rotation function accepts. */
const SECONDS_OPTIONS = [
  ['previous-key-ttl', EnvVar.previousKeyTtlSeconds, Limits.previousKeyTtlSeconds],
  ['min-rotation-interval', EnvVar.minRotationIntervalSeconds, Limits.minRotationIntervalSeconds],
  ['landing-horizon', EnvVar.rotateLandingHorizonSeconds, Limits.rotateLandingHorizonSeconds],
] as const;

const port = (env: Readonly<Record<string, string | undefined>>, name: string, fallback: number): number => {
  const raw = env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new InvalidEmulatorOptionError(name, `must be a port number from 0 to 65535, got ${JSON.stringify(raw)}`);
  }
  return value;
};

const seconds = (option: string, raw: string, range: { readonly min: number; readonly max: number }): string => {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= range.min && value <= range.max)) {
    throw new InvalidEmulatorOptionError(
      `--${option}`,
      `must be a whole number of seconds from ${range.min} to ${range.max}, got ${JSON.stringify(raw)}`,
    );
  }
  return String(value);
};

/**
 * Reads the command line and the port variables. Anything wrong (an unknown option, a value out of range) is an
 * InvalidEmulatorOptionError whose one-line message says what was received and what is allowed.
 */
export const parseLocalStackArgs = (
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): LocalStackCliOptions => {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'log-file': { type: 'string' },
        help: { type: 'boolean' },
        ...Object.fromEntries(SECONDS_OPTIONS.map(([option]) => [option, { type: 'string' as const }])),
      },
    }));
  } catch (error) {
    throw new InvalidEmulatorOptionError('command line', `is not understood: ${(error as Error).message}`);
  }
  const functionEnv: Record<string, string> = {};
  for (const [option, variable, range] of SECONDS_OPTIONS) {
    const raw = values[option];
    if (typeof raw === 'string') functionEnv[variable] = seconds(option, raw, range);
  }
  const logFile = values['log-file'];
  if (logFile === '') throw new InvalidEmulatorOptionError('--log-file', 'must name a file, got ""');
  return {
    clerkPort: port(env, 'LOCAL_STACK_CLERK_PORT', 4010),
    secretsManagerPort: port(env, 'LOCAL_STACK_SECRETS_MANAGER_PORT', 4566),
    logFile: typeof logFile === 'string' ? logFile : undefined,
    functionEnv,
    help: values.help === true,
  };
};
