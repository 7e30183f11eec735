import { parentPort, workerData } from 'node:worker_threads';
import { runScheduleShard, type ShardOptions } from './runScheduleShard.ts';

/** Entry of a worker thread (see runInWorker): runs one shard of the schedules and posts its result. */
const result = await runScheduleShard(workerData as ShardOptions);
parentPort?.postMessage(result);
