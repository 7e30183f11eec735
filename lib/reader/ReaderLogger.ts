import type { Logger } from '../Logger.ts';

/**
 * What the reader logs through: `debug` and `warn` with the package's fixed log fields (secretArn, versionId,
 * machineId, outcome, durationMs, errorCode). `createJsonLogger` (exported beside it) fits; so does an adapter over
 * any other logger. Nothing the reader logs ever contains a key.
 */
export type ReaderLogger = Pick<Logger, 'debug' | 'warn'>;

export const silentLogger: ReaderLogger = { debug() {}, warn() {} };
