// `parley verify`: every spec and mutant through TLC, concurrently up to the core count.
import { availableParallelism } from 'node:os';
import { discoverJobs, type VerifyJob } from './discover.js';
import type { JavaRun } from './java.js';
import { requireJava } from './prereq.js';
import { runJob, type VerifyResult } from './runJob.js';
import { TLC_ARTIFACT, ensureTlcJar } from './tlcJar.js';

export interface VerifyOptions {
  readonly root: string;
  /** Check only this spec module (e.g. 'Playout'). */
  readonly only?: string;
  /** Check only the configs whose path contains this text (e.g. 'Session_engine'). */
  readonly config?: string;
  /** Also check the bigger models of specs/bench/. */
  readonly bench?: boolean;
  /** Concurrent TLC runs; default: the core count, at most the number of jobs. */
  readonly jobs?: number;
  /** TLC -workers per run; default: cores / concurrent runs, at least 1. */
  readonly workers?: number;
  /** Default wall-clock limit per config, seconds (a config's "timeout:" overrides it). */
  readonly timeoutSeconds?: number;
  /** Every limit times this (a run at low priority beside other work gets less CPU per second). */
  readonly timeoutScale?: number;
  readonly keep?: boolean;
  /** Called as each result arrives (progress on stderr). */
  readonly onResult?: (r: VerifyResult) => void;
}

export interface VerifyReport {
  /** TLC version as TLC reports it, with the Maven artifact. */
  readonly tlc: string;
  readonly results: readonly VerifyResult[];
}

export const DEFAULT_TIMEOUT_SECONDS = 300;

async function pool<T, R>(items: readonly T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, lane));
  return out;
}

/** Throws PrerequisiteError when Java (or Maven, for a first fetch) is missing. */
export async function verify(opts: VerifyOptions): Promise<VerifyReport> {
  const jobs: VerifyJob[] = discoverJobs(opts.root, opts.only, opts.bench ?? false).filter((j) => opts.config === undefined || j.config.includes(opts.config));
  const { java } = requireJava();
  const jar = ensureTlcJar();
  const cores = availableParallelism();
  const width = Math.max(1, opts.jobs ?? Math.min(cores, jobs.length));
  const workers = Math.max(1, opts.workers ?? Math.floor(cores / width));
  const sany = new Map<string, Promise<JavaRun>>();
  const versions = new Set<string>();
  const results = await pool(jobs, width, async (job) => {
    const r = await runJob(job, {
      root: opts.root,
      java,
      jar,
      workers,
      timeoutSeconds: opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      timeoutScale: opts.timeoutScale ?? 1,
      sany,
      versions,
      ...(opts.keep ? { keep: true } : {}),
    });
    opts.onResult?.(r);
    return r;
  });
  const version = [...versions][0];
  return { tlc: `${version ? `TLC ${version}` : 'TLC'} (${TLC_ARTIFACT})`, results };
}
