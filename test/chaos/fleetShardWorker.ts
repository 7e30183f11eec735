import { parentPort, workerData } from 'node:worker_threads';
import { type FleetShardOptions, rotateFleetShard } from './rotateFleetShard.ts';

/** Entry of a worker thread (see runInWorker): rotates one shard of the fleet and posts its result. */
const result = await rotateFleetShard(workerData as FleetShardOptions);
parentPort?.postMessage(result);
