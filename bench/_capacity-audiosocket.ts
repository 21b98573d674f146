// The capacity bench's figures for AudioSocket calls (`--protocol audiosocket`): what an
// AudioSocketCaller can honestly measure of an unflushable far side. Asterisk plays every slin
// message it is sent at real time and nothing can recall it, so there is no clear, no frame
// lateness against a caller-side jitter buffer and no "frames after clear": those figures are
// null with a note. What replaces them: the audio queued at the far side (the lead a barge-in
// cannot recall), the cut as heard, and audio heard while talking over the agent past the bound.
import { loadConfig } from '../src/config/index.js';
import { leadMs } from '../src/session/open.js';
import { STALE_BOUND_MS, summariseAudioSocketLoad, type AudioSocketLoadResult } from '../src/tools/sim/caller/audiosocket-load.js';
import { percentiles } from '../src/tools/sim/caller/index.js';

/**
 * Parley's lead at an AudioSocket far side as serve runs it (its environment: the frames a wake-up
 * hands over and the jitter margin), by the runtime's own rule: what a barge-in cannot recall.
 */
export function audioSocketLeadMs(serveEnv: Readonly<Record<string, string>>): number {
  return leadMs(loadConfig({ env: { ...process.env, ...serveEnv } }), { farSide: 'unflushable' });
}

/** Figures from serve's metrics and the agent, shared with the WebSocket protocols. */
export interface ParleySide {
  readonly framesIn: number;
  readonly framesOut: number;
  readonly underrunsParley: number;
  readonly underrunsAi: number;
  readonly cutoff: Record<string, unknown>;
  readonly firstAudio: Record<string, unknown>;
  readonly rejectedTruncates: number | null;
}

const NA = 'does not apply to AudioSocket: the far side plays what it is sent and nothing can recall it';

export function audioSocketFigures(load: AudioSocketLoadResult, truncs: readonly { truncate: { eventId: string; audioEndMs: number } }[], parley: ParleySide, leadBoundMs: number) {
  const s = summariseAudioSocketLoad(load.reports);
  // Parley's call id is the UUID; the agent's truncate event ids start with it.
  const heardByUuid = new Map(load.reports.flatMap((r) => (r.bargedReplyHeardMs !== undefined ? [[r.uuid.toLowerCase(), r.bargedReplyHeardMs] as const] : [])));
  const errors: number[] = [];
  for (const { truncate: t } of truncs) {
    const heard = heardByUuid.get(String(t.eventId).split('.truncate.')[0]!.toLowerCase());
    if (heard !== undefined) errors.push(Math.abs(t.audioEndMs - heard));
  }
  const perTurn = [0, 1].map((i) => ({ turn: i + 1, ...percentiles(load.reports.flatMap((r) => (r.responseLatencyMs[i] !== undefined ? [r.responseLatencyMs[i]!] : []))) }));
  const reachedBarge = load.reports.filter((r) => r.cutoffMs !== undefined);
  return {
    head: {
      ok: s.ok,
      failed: s.failed,
      failures: s.failures,
      frames: { callerSent: null, callerReceived: null, parleyIn: parley.framesIn, parleyOut: parley.framesOut, note: 'caller frame counts: not counted by the AudioSocket caller; parleyIn/Out from serve' },
      outboundLatenessMs: { count: null, p50: null, p99: null, max: null, note: `${NA} — the caller queues whatever arrives, so lateness shows only as gaps (underruns.callerObserved)` },
      farSideQueuedMs: {
        max: s.queuedMs.max,
        p95: s.queuedMs.p95,
        samples: s.queuedMs.count,
        leadBoundMs,
        note: `agent audio queued, not yet played, at the far side just after each message arrived: the lead a barge-in cannot recall (≤ ${leadBoundMs} ms expected; p95 is robust to the callers' own stalls, which make a late burst look queued)`,
      },
      betweenResponses: { count: null, afterCallerTurn: null, afterClear: null, unprompted: null, maxGapMs: null, note: NA },
      underruns: {
        causedByParley: parley.underrunsParley,
        aiStarved: parley.underrunsAi,
        callerObserved: s.gaps,
        callerObservedMs: s.gapMs,
        note: 'callerObserved: the far side ran dry (nothing queued) less than 1 s before more agent audio came: gaps inside a reply, at the caller',
      },
    },
    tail: {
      cutoffLatencyMs: {
        parley: parley.cutoff,
        caller: { ...s.cutoff, note: 'caller speech start → the talked-over reply stopped playing at the caller; includes the agent VAD and the lead that cannot be recalled' },
      },
      truncationErrorMs: {
        ...percentiles(errors),
        rejected: parley.rejectedTruncates,
        note: "|audio_end_ms − caller's heard of the talked-over reply| per call (heard includes the unrecallable lead)",
      },
      staleFramesAfterClear: null,
      staleAudioAfterBargeInMs: {
        total: s.staleMs,
        calls: s.callsWithStale,
        boundMs: STALE_BOUND_MS,
        note: `there is no clear: agent audio heard more than ${STALE_BOUND_MS} ms (detection + cut + the ${leadBoundMs} ms lead) after the caller began talking over it, while still talking`,
      },
      bargeIns: { attempted: reachedBarge.length, cutWithinBound: reachedBarge.filter((r) => r.cutoffMs! <= STALE_BOUND_MS).length, note: `calls that talked over a reply; cut within bound: the reply stopped playing within ${STALE_BOUND_MS} ms` },
      responseLatencyMs: s.responseLatency,
      timeToFirstAudioMs: {
        perTurn,
        parley: parley.firstAudio,
        note: 'per turn: caller speech end → first agent audio heard (the talked-over turn excluded)',
      },
      malformedFromParley: s.malformedFromParley,
    },
    generator: { ticksSkipped: null, maxTickLateMs: null, cpuPct: load.cpuPct, note: 'AudioSocket callers tick on timers; tick skips are not counted' },
  };
}
