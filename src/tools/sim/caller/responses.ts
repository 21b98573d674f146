// Where one agent response ends and the next begins, as the caller tells it on its own (nothing of
// Parley's internals): a response ends when
// - the caller finished a turn since the last agent audio (what follows is the answer to it), or
// - a clear arrived (the far side dropped the rest of the response), or
// - no agent audio came for RESPONSE_GAP_MS with neither of the above: a response Parley started on
//   its own (a greeting, a give-up notice). Such gaps are counted apart (`unprompted`), so a stall
//   longer than the bound still shows, as a long unprompted gap, instead of vanishing.
// Everything inside a response is measured against that response's schedule: a stall is lateness
// (arrival side) and an underrun (playout side); the silence between responses is its own figure.
import { percentiles } from './stats.js';
import type { BetweenResponses } from './types.js';

/** Longer than any stall a bench must see as lateness; shorter than the callers' listen timeouts. */
export const RESPONSE_GAP_MS = 3000;

/** Audio arriving within this long of a response's first frame is its initial burst (the bridge's lead). */
const BURST_WINDOW_MS = 5;

export type BoundaryCause = 'turn' | 'clear' | 'silence';

/** Arrival side: each frame's lateness against real-time pacing from its response's start. */
export class ResponsePacing {
  readonly lateness: number[] = [];
  private readonly bursts: number[] = [];
  private readonly gaps: number[] = [];
  private readonly causes: Record<BoundaryCause, number> = { turn: 0, clear: 0, silence: 0 };
  private started = false;
  private pending: BoundaryCause | undefined;
  private t0 = 0;
  private paceMs = 0;
  private burstMs = 0;
  private lastArrival = -Infinity;
  private carried = 0;

  /** leadMs: the lead to measure against; undefined: each response's observed initial burst. */
  constructor(private readonly leadMs: number | undefined) {}

  /** The caller finished a turn: the next agent audio starts a new response. */
  turnEnded(): void {
    if (this.started) this.pending ??= 'turn';
  }

  /** A clear arrived: the response was cut. */
  cleared(): void {
    if (this.started) this.pending ??= 'clear';
  }

  /**
   * Audio of earlier responses the far side still held when this response's first audio arrived
   * (ms): mod_audio_stream's stranded tail, heard at the start of this response.
   */
  get carriedOverMs(): number {
    return this.carried;
  }

  /**
   * One agent audio message of `durMs` arrived at `now` (ms), with `queuedMs` of audio still queued
   * at the far side before it; returns its lateness.
   */
  arrival(durMs: number, now: number, queuedMs = 0): number {
    const cause = this.pending ?? (now - this.lastArrival > RESPONSE_GAP_MS ? 'silence' : undefined);
    if (!this.started || cause !== undefined) {
      if (this.started && cause !== undefined) {
        this.gaps.push(now - this.lastArrival);
        this.causes[cause]++;
        this.bursts.push(this.burstMs);
      }
      this.started = true;
      this.pending = undefined;
      this.carried = queuedMs;
      this.t0 = now;
      this.paceMs = 0;
      this.burstMs = 0;
    }
    if (now - this.t0 <= BURST_WINDOW_MS) this.burstMs += durMs;
    const expected = this.t0 + Math.max(0, this.paceMs - (this.leadMs ?? this.burstMs));
    const late = Math.max(0, now - expected);
    this.lateness.push(late);
    this.paceMs += durMs;
    this.lastArrival = now;
    return late;
  }

  /** Median initial burst over the responses (ms). */
  observedLeadMs(): number {
    return percentiles(this.started ? [...this.bursts, this.burstMs] : this.bursts).p50;
  }

  betweenResponses(): BetweenResponses {
    return {
      count: this.gaps.length,
      afterCallerTurn: this.causes.turn,
      afterClear: this.causes.clear,
      unprompted: this.causes.silence,
      gapMs: percentiles(this.gaps.map((g) => Math.round(g))),
    };
  }
}

/** Playout side: a gap in what the caller hears between two stretches of one response is an underrun. */
export class ResponsePlayout {
  underruns = 0;
  underrunSamples = 0;
  private heard = false;
  private starved = 0;
  private quietMs = 0;

  constructor(
    private readonly frameSamples: number,
    private readonly tickMs: number,
  ) {}

  /** A caller turn or a clear: what plays next belongs to a new response. */
  boundary(): void {
    this.heard = false;
    this.starved = 0;
    this.quietMs = 0;
  }

  /** One far-side tick played `played` samples. */
  played(played: number): void {
    if (played === 0) {
      if (!this.heard) return;
      this.starved += this.frameSamples;
      this.quietMs += this.tickMs;
      if (this.quietMs >= RESPONSE_GAP_MS) this.boundary();
      return;
    }
    if (this.heard && this.starved > 0) {
      // audio came back within the response: the gap was an underrun
      this.underruns++;
      this.underrunSamples += this.starved;
    }
    this.heard = true;
    this.quietMs = 0;
    this.starved = played < this.frameSamples ? this.frameSamples - played : 0;
  }
}
