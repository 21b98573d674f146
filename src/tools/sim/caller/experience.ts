// What the caller experienced, measured at the far side: agent runs as heard, arrival lateness and
// underruns over whole responses (responses.ts), turns, barge-ins and the timeline.
import { ResponsePacing, ResponsePlayout } from './responses.js';
import { percentiles } from './stats.js';
import { TICK_MS } from './ticker.js';
import type { BargeInRecord, CallReport, TimelineEvent, TimelineKind, TurnRecord } from './types.js';

/**
 * A gap in agent audio longer than this ends a playback run: what the script's barge-in offsets and
 * the timeline's agent_audio_start/end refer to. Lateness and underruns do not use runs: they are
 * measured over whole responses, where a stall of any length inside a response counts.
 */
const RUN_GAP_MS = 400;
const TIMELINE_LIMIT = 2000;
const PROTOCOL_ERRORS_IN_TIMELINE = 20;

interface Turn {
  index: number;
  bargeIn: boolean;
  speechStartMs: number;
  speechEndMs?: number;
  firstAgentAudioMs?: number;
}

interface Barge {
  speechStartMs: number;
  heardAtSpeechMs: number;
  clearAtMs?: number;
  heardMs?: number;
  carriedOverMs: number;
  queuedAtSpeechMs: number;
  framesBeforeClear: number;
  stale: number;
  /** When the first agent frame arrived after the clear while the caller still spoke. */
  firstStaleMs?: number;
  speaking: boolean;
}

export interface ExperienceOptions {
  readonly rate: number;
  /** Lead to measure lateness against; undefined: each response's observed initial burst. */
  readonly leadMs: number | undefined;
  readonly recordFrames: boolean;
  readonly onTimeline: ((e: TimelineEvent) => void) | undefined;
}

export type Counts = Pick<CallReport, 'framesSent' | 'ticksSkipped' | 'marksEchoed' | 'alignmentLossMs' | 'overflowDropMs'>;

export class Experience {
  private readonly frameSamples: number;
  private readonly timeline: TimelineEvent[] = [];
  private readonly turns: Turn[] = [];
  private readonly barges: Barge[] = [];
  private readonly frames: [number, number][] = [];
  private framesReceived = 0;
  private agentSamples = 0;
  private heardSamples = 0;
  marksSent = 0;
  private clears = 0;
  private protocolErrors = 0;
  // far-side playout runs (script and timeline)
  private runActive = false;
  private runHeard = 0;
  private runQuietTicks = 0;
  // figures over whole responses
  private readonly pacing: ResponsePacing;
  private readonly playout: ResponsePlayout;
  /** Milliseconds since agent audio was last heard (for the script's listen step). */
  quietMs = 0;

  constructor(private readonly o: ExperienceOptions) {
    this.frameSamples = (o.rate * TICK_MS) / 1000;
    this.pacing = new ResponsePacing(o.leadMs);
    this.playout = new ResponsePlayout(this.frameSamples, TICK_MS);
  }

  /** Agent audio heard so far, in samples. */
  get heardTotal(): number {
    return this.heardSamples;
  }

  get runPlaying(): boolean {
    return this.runActive;
  }

  /** Agent audio heard in the current run, ms (what a barge-in offset is measured against). */
  get heardRunMs(): number {
    return (this.runHeard / this.o.rate) * 1000;
  }

  /** Raw per-frame lateness samples (ms). */
  latenessSamples(): readonly number[] {
    return this.pacing.lateness;
  }

  event(kind: TimelineKind, at: number, detail?: string): void {
    if (this.timeline.length >= TIMELINE_LIMIT) return;
    const e: TimelineEvent = { t: round(at), kind, ...(detail !== undefined ? { detail } : {}) };
    this.timeline.push(e);
    this.o.onTimeline?.(e);
  }

  /** One far-side tick played `played` samples. */
  played(played: number, now: number): void {
    this.heardSamples += played;
    this.playout.played(played);
    if (played > 0) {
      this.quietMs = 0;
      if (!this.runActive) {
        this.runActive = true;
        this.runHeard = 0;
        this.event('agent_audio_start', now);
      }
      this.runHeard += played;
      this.runQuietTicks = 0;
      return;
    }
    this.quietMs += TICK_MS;
    if (!this.runActive) return;
    if (++this.runQuietTicks * TICK_MS >= RUN_GAP_MS) this.endRun(now);
  }

  /** Agent audio arrived (before it is queued at the far side, which holds `queuedSamples`). */
  arrival(samples: number, now: number, queuedSamples = 0): void {
    this.framesReceived++;
    this.agentSamples += samples;
    const durMs = (samples / this.o.rate) * 1000;
    this.pacing.arrival(durMs, now, (queuedSamples / this.o.rate) * 1000);
    if (this.o.recordFrames) this.frames.push([round(now), durMs]);
    const turn = this.turns[this.turns.length - 1];
    if (turn?.speechEndMs !== undefined && turn.firstAgentAudioMs === undefined && now >= turn.speechEndMs) turn.firstAgentAudioMs = now;
    const barge = this.barges[this.barges.length - 1];
    if (barge?.speaking && barge.clearAtMs !== undefined) {
      barge.stale++;
      barge.firstStaleMs ??= now;
    }
    else if (barge?.speaking) barge.framesBeforeClear++;
  }

  cleared(now: number, marksReturned: number): void {
    this.clears++;
    const barge = this.barges[this.barges.length - 1];
    if (barge && barge.clearAtMs === undefined) {
      barge.clearAtMs = now;
      barge.heardMs = this.heardRunMs;
    }
    this.event('clear', now, marksReturned > 0 ? `${marksReturned} pending marks returned unplayed` : undefined);
    this.endRun(now);
    this.pacing.cleared();
    this.playout.boundary();
  }

  protocolError(detail: string, now: number): void {
    this.protocolErrors++;
    if (this.protocolErrors <= PROTOCOL_ERRORS_IN_TIMELINE) this.event('protocol_error', now, detail);
  }

  /** The caller starts to speak; the far side holds `queuedSamples` of agent audio. */
  speechStarted(now: number, bargeIn: boolean, queuedSamples = 0): void {
    this.turns.push({ index: this.turns.length, bargeIn, speechStartMs: now });
    if (bargeIn) this.barges.push({ speechStartMs: now, heardAtSpeechMs: this.heardRunMs, carriedOverMs: this.pacing.carriedOverMs, queuedAtSpeechMs: (queuedSamples / this.o.rate) * 1000, framesBeforeClear: 0, stale: 0, speaking: true });
    this.event('speech_start', now, bargeIn ? `barge-in after ${Math.round(this.heardRunMs)} ms of agent audio` : undefined);
  }

  speechEnded(now: number, endMs: number): void {
    const turn = this.turns[this.turns.length - 1];
    if (turn) turn.speechEndMs = endMs;
    this.pacing.turnEnded();
    this.playout.boundary();
    const barge = this.barges[this.barges.length - 1];
    if (barge?.speaking) {
      barge.speaking = false;
      barge.heardMs ??= this.heardRunMs;
    }
    this.event('speech_end', now);
  }

  /** The barge-in whose speech has finished (the script moves on). */
  get lastBargeDone(): boolean {
    const b = this.barges[this.barges.length - 1];
    return b !== undefined && !b.speaking;
  }

  private endRun(at: number): void {
    if (!this.runActive) return;
    this.runActive = false;
    this.event('agent_audio_end', at, `${Math.round(this.heardRunMs)} ms heard`);
  }

  /** The measured part of the call report. */
  report(now: number, counts: Counts): Omit<CallReport, 'callId' | 'protocol' | 'ok' | 'failure' | 'durationMs'> {
    const ms = (samples: number) => Math.round((samples / this.o.rate) * 1000);
    const turns: TurnRecord[] = this.turns.map((t) => ({
      index: t.index,
      bargeIn: t.bargeIn,
      speechStartMs: round(t.speechStartMs),
      speechEndMs: round(t.speechEndMs ?? now),
      ...(t.firstAgentAudioMs !== undefined
        ? { firstAgentAudioMs: round(t.firstAgentAudioMs), responseLatencyMs: round(t.firstAgentAudioMs - (t.speechEndMs ?? now)) }
        : {}),
    }));
    const bargeIns: BargeInRecord[] = this.barges.map((b) => ({
      speechStartMs: round(b.speechStartMs),
      heardAtSpeechMs: round(b.heardAtSpeechMs),
      ...(b.clearAtMs !== undefined ? { clearAtMs: round(b.clearAtMs), cutoffLatencyMs: round(b.clearAtMs - b.speechStartMs) } : {}),
      heardMs: round(b.heardMs ?? b.heardAtSpeechMs),
      carriedOverMs: round(b.carriedOverMs),
      queuedAtSpeechMs: round(b.queuedAtSpeechMs),
      framesBeforeClear: b.framesBeforeClear,
      speechEnded: !b.speaking,
      staleFramesAfterClear: b.stale,
      ...(b.firstStaleMs !== undefined ? { firstStaleAtMs: round(b.firstStaleMs) } : {}),
    }));
    return {
      framesSent: counts.framesSent,
      ticksSkipped: counts.ticksSkipped,
      framesReceived: this.framesReceived,
      agentAudioMs: ms(this.agentSamples),
      heardMs: ms(this.heardSamples),
      lateness: percentiles(this.pacing.lateness),
      observedLeadMs: this.pacing.observedLeadMs(),
      underruns: this.playout.underruns,
      underrunMs: ms(this.playout.underrunSamples),
      betweenResponses: this.pacing.betweenResponses(),
      marksSent: this.marksSent,
      marksEchoed: counts.marksEchoed,
      clears: this.clears,
      alignmentLossMs: counts.alignmentLossMs,
      overflowDropMs: counts.overflowDropMs,
      protocolErrors: this.protocolErrors,
      turns,
      bargeIns,
      timeline: this.timeline,
      ...(this.o.recordFrames ? { frames: this.frames } : {}),
    };
  }
}

export const round = (x: number) => Math.round(x * 10) / 10;
