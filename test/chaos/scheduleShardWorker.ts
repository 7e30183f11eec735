import { parentPort, workerData } from 'node:worker_threads';
import { runScheduleShards, type ShardOptions } from './runScheduleShard.ts';

/** Entry of a worker thread (see runInWorker): runs its shards of the schedules side by side and posts the results. */
const results = await runScheduleShards(workerData as ShardOptions[]);
parentPort?.postMessage(results);
