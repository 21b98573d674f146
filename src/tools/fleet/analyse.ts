// Turns what the fleet run recorded (calls, HAProxy's log, the drains) into its verdicts: where
// each call landed, which calls were refused, and which were cut — split by whether the cut came
// within an instance's drain deadline (must never happen) or after it (a call longer than the
// deadline, closed by design).
import { percentiles } from '../sim/caller/index.js';
import type { Percentiles } from '../sim/caller/types.js';
import type { CallRecord } from './calls.js';
import type { LbLogLine } from './haproxy.js';
import type { DrainRecord } from './instance.js';

export interface CutCall {
  readonly id: string;
  readonly instance: string | undefined;
  readonly failure: string;
  /** ms from the instance's SIGTERM to the cut, when the call was on a draining instance. */
  readonly afterSignalMs?: number;
}

export interface DrainWindow {
  readonly instance: string;
  /** Calls (of this run) live on the instance when its SIGTERM came, per HAProxy's log. */
  readonly liveCalls: number;
  /** Of those, calls that then completed their script. */
  readonly completed: number;
}

export interface CallAnalysis {
  readonly callsPerInstance: Readonly<Record<string, number>>;
  readonly completed: number;
  /** Never connected: the caller got an HTTP error or no connection. */
  readonly refused: number;
  readonly refusedReasons: Readonly<Record<string, number>>;
  /** Connected but did not complete the script. */
  readonly cut: number;
  /** Cut while live on a draining instance before its drain deadline: the property says 0. */
  readonly cutWithinDrainDeadline: readonly CutCall[];
  /** Cut on a draining instance after its drain deadline (the call outlived the deadline). */
  readonly cutAfterDrainDeadline: readonly CutCall[];
  /** Cut with no drain involved. */
  readonly cutOther: readonly CutCall[];
  readonly drainWindows: readonly DrainWindow[];
  /** Upgrades HAProxy retried (a draining or restarting instance) before one was accepted. */
  readonly retriedUpgrades: number;
  /** Outbound frame lateness of calls live during the roll, and of all calls. */
  readonly latenessDuringRoll: Percentiles;
  readonly latenessAll: Percentiles;
}

export interface AnalysisInput {
  readonly calls: readonly CallRecord[];
  readonly lbLines: readonly LbLogLine[];
  readonly drains: readonly DrainRecord[];
  readonly drainDeadlineMs: number;
  /** performance.now() at the first SIGTERM and after the last instance was back up. */
  readonly rollStart: number;
  readonly rollEnd: number;
}

const FLEET_ID = /[?&]fleet=([^&\s]+)/;

export function analyse(input: AnalysisInput): CallAnalysis {
  // The upgrade HAProxy answered with 101 for each call id: that instance carried the call.
  const landed = new Map<string, LbLogLine>();
  let retriedUpgrades = 0;
  for (const l of input.lbLines) {
    const id = FLEET_ID.exec(l.uri)?.[1];
    if (!id) continue;
    if (l.retries > 0) retriedUpgrades += 1;
    if (l.status === 101) landed.set(id, l);
  }
  const callsPerInstance: Record<string, number> = {};
  for (const l of landed.values()) callsPerInstance[l.server] = (callsPerInstance[l.server] ?? 0) + 1;

  const refusedReasons: Record<string, number> = {};
  const within: CutCall[] = [];
  const after: CutCall[] = [];
  const other: CutCall[] = [];
  let completed = 0;
  let refused = 0;
  for (const c of input.calls) {
    if (c.report.ok) {
      completed += 1;
      continue;
    }
    const failure = c.report.failure ?? 'unknown';
    if (c.connectedAt === undefined) {
      refused += 1;
      refusedReasons[failure] = (refusedReasons[failure] ?? 0) + 1;
      continue;
    }
    const instance = landed.get(c.id)?.server;
    const drain = input.drains.find((d) => d.instance === instance && d.signalAt >= c.connectedAt! && d.signalAt <= c.endedAt);
    if (!drain) {
      other.push({ id: c.id, instance, failure });
      continue;
    }
    const afterSignalMs = Math.round(c.endedAt - drain.signalAt);
    (afterSignalMs > input.drainDeadlineMs ? after : within).push({ id: c.id, instance, failure, afterSignalMs });
  }

  const drainWindows = input.drains.map((d) => {
    const live = input.calls.filter(
      (c) => c.connectedAt !== undefined && landed.get(c.id)?.server === d.instance && c.connectedAt < d.signalAt && c.endedAt > d.signalAt,
    );
    return { instance: d.instance, liveCalls: live.length, completed: live.filter((c) => c.report.ok).length };
  });

  const during = input.calls.filter((c) => c.connectedAt !== undefined && c.connectedAt < input.rollEnd && c.endedAt > input.rollStart);
  return {
    callsPerInstance,
    completed,
    refused,
    refusedReasons,
    cut: within.length + after.length + other.length,
    cutWithinDrainDeadline: within,
    cutAfterDrainDeadline: after,
    cutOther: other,
    drainWindows,
    retriedUpgrades,
    latenessDuringRoll: percentiles(during.flatMap((c) => [...c.lateness])),
    latenessAll: percentiles(input.calls.flatMap((c) => [...c.lateness])),
  };
}
