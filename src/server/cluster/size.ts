// How many serve processes `PARLEY_WORKERS` means.
import { availableParallelism } from 'node:os';

/** 0 means one per core (what the OS lets this process run on); 1 means no cluster at all. */
export function workerCount(setting: number): number {
  return setting === 0 ? Math.max(1, availableParallelism()) : setting;
}

