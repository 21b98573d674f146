// How many serve processes `PARLEY_WORKERS` means, and each one's share of the call limit.
import { availableParallelism } from 'node:os';

/** 0 means one per core (what the OS lets this process run on); 1 means no cluster at all. */
export function workerCount(setting: number): number {
  return setting === 0 ? Math.max(1, availableParallelism()) : setting;
}

/** Each worker enforces its share of PARLEY_MAX_CALLS, so the limit stays the whole server's. */
export function callShare(maxCalls: number, workers: number): number {
  return Math.max(1, Math.ceil(maxCalls / workers));
}
