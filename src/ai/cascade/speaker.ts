// The TTS side of one call: sentences (tagged with their response id) are spoken one at a time,
// in order — from the cache, else from the provider the breaker picks — and their audio,
// converted from the producing provider's own rate (TT2), is handed on tagged with the response id.
//
// One ahead (issue 20): while a sentence is being spoken, the next one of the same response is
// already asked for (`ahead`, default 1), so its first chunk is there when the current one ends —
// at 1× a provider's first-chunk latency at every boundary otherwise ate the far side's margin.
// Its chunks are held, unconverted, until every byte of the sentence before it has been handed
// on (order is never traded). A prefetch goes where the sentence before it went while the breaker
// still routes there (never as or beside the probe); its outcome reaches the breaker only when its
// turn comes (as if sent then); when the sentence before it fails it is dropped back into the
// queue, unreported (the same fault most likely took it too; it is asked for again after the
// rescue). A cancel drops it like a queued sentence (counted lost with the same reason).
//
// A primary failure never loses the sentence it happens in (TT5, issue 20): the fallback re-says
// it at once — whole when the primary failed before any audio, else from the start of the clause
// the primary was in (restart.ts) — whatever the breaker says; the breaker only decides where
// the next sentences go. A sentence no provider could say, or one dropped because its response
// was cancelled or the call ended, is counted in parley_tts_sentences_lost_total{reason}.
//
// A cancelled response (barge-in) is dropped at every stage (TT1): it leaves the live set, its
// queued sentences are removed, its request in flight is aborted (close_context / HTTP abort),
// the converter's filter state is discarded, and any chunk that still arrives for it is dropped
// at the sink. Only outcomes of requests we did not abort are reported to the breaker as
// failures (TT3).
import type { Route, TtsBreaker } from './breaker.js';
import { cacheKey, type CachedAudio, type TtsCache } from './cache.js';
import type { TtsAudioOut } from './audioOut.js';
import type { CascadeMetrics, SentenceLossReason } from './metrics.js';
import { restartPoint } from './restart.js';
import type { TtsChunk, TtsOutcome, TtsProvider } from './tts/types.js';

/** Sentences waiting for TTS per call (docs/ARCHITECTURE.md#bounds: every queue has a bound); beyond it the newest are dropped and counted as lost. */
export const MAX_QUEUED_SENTENCES = 256;

export interface Sentence {
  readonly responseId: string;
  readonly text: string;
  /** 0, 1, 2 … within the response. */
  readonly seq: number;
}

export interface SpeakerDeps {
  readonly primary: TtsProvider;
  readonly fallback: TtsProvider;
  readonly breaker: TtsBreaker;
  readonly cache: TtsCache;
  /** Whom this call's cache insertions are charged to. */
  readonly owner: string;
  readonly out: TtsAudioOut;
  readonly metrics?: CascadeMetrics;
  readonly now?: () => number;
  /** Sentences asked for ahead of the one being spoken: 0 (one at a time) or 1 (default). */
  readonly ahead?: 0 | 1;
  /** Converted audio of a live response, in order. */
  onAudio(responseId: string, audio: Buffer, sentence: Sentence | undefined): void;
  /** Every sentence of an ended response has been spoken (or lost). */
  onResponseSpoken(responseId: string): void;
  /** A sentence was spoken, by which source ('rescued': the primary's part, then the fallback's rest). */
  onSentence?(sentence: Sentence, source: 'cache' | 'primary' | 'fallback' | 'rescued' | 'lost'): void;
  /** A rescued sentence: the primary's audio (ms) the fallback says again (the repeat bound, measured). */
  onRescue?(sentence: Sentence, info: { readonly primaryMs: number; readonly repeatedMs: number; readonly restartAt: number }): void;
}

/** Where a request's chunks go: held (a prefetch whose turn has not come) or straight on. */
interface Gate {
  held: TtsChunk[] | undefined;
}

/** The next sentence, asked for while the one before it is spoken. */
interface Ahead {
  readonly sentence: Sentence;
  readonly provider: TtsProvider;
  readonly route: Route;
  readonly ctl: AbortController;
  readonly gate: Gate;
  readonly outcome: Promise<TtsOutcome>;
  /** Known once the request ended. */
  settled: TtsOutcome | undefined;
}

export class Speaker {
  private queue: Sentence[] = [];
  private readonly live = new Set<string>();
  private readonly ending = new Set<string>();
  private busy: { readonly sentence: Sentence; readonly ctl: AbortController; route?: Route } | undefined;
  private ahead: Ahead | undefined;
  /** The response whose audio sits in the converter's filter. */
  private outOwner: string | undefined;
  private running = false;
  private stopped = false;

  constructor(private readonly deps: SpeakerDeps) {}

  /** Responses whose sentences may still be spoken. */
  isLive(responseId: string): boolean {
    return this.live.has(responseId);
  }

  get queued(): number {
    return this.queue.length;
  }

  /** A response started: its sentences may be spoken. */
  open(responseId: string): void {
    if (!this.stopped) this.live.add(responseId);
  }

  enqueue(s: Sentence): void {
    if (!this.live.has(s.responseId) || this.ending.has(s.responseId)) {
      this.deps.metrics?.cancelledDrops.inc({ stage: 'queue' });
      return;
    }
    if (this.queue.length >= MAX_QUEUED_SENTENCES) {
      this.lost(s, 'queue_full');
      return;
    }
    this.queue.push(s);
    this.prefetch();
    void this.pump();
  }

  /** The response's text is complete: once its last sentence is spoken, onResponseSpoken. */
  end(responseId: string): void {
    if (!this.live.has(responseId)) return;
    this.ending.add(responseId);
    this.finishIfDone(responseId);
  }

  /** Barge-in (or the response failed, or the call ends): drop everything of it, everywhere. */
  cancel(responseId: string, reason: SentenceLossReason = 'barge_in'): void {
    const wasLive = this.live.delete(responseId);
    this.ending.delete(responseId);
    const dropped = this.queue.filter((s) => s.responseId === responseId);
    this.queue = this.queue.filter((s) => s.responseId !== responseId);
    if (dropped.length > 0) this.deps.metrics?.cancelledDrops.inc({ stage: 'queue' }, dropped.length);
    for (const s of dropped) this.lost(s, reason);
    const ahead = this.ahead;
    if (ahead?.sentence.responseId === responseId) {
      // Asked for ahead but never spoken: dropped like a queued sentence.
      this.ahead = undefined;
      ahead.ctl.abort();
      this.deps.metrics?.cancelledDrops.inc({ stage: 'queue' });
      this.lost(ahead.sentence, reason);
    }
    if (this.busy?.sentence.responseId === responseId) {
      if (!this.busy.ctl.signal.aborted) this.lost(this.busy.sentence, reason);
      this.busy.ctl.abort();
    }
    if (this.outOwner === responseId) {
      this.deps.out.reset();
      this.outOwner = undefined;
    }
    if (wasLive) {
      this.deps.primary.endTurn(responseId, true);
      this.deps.fallback.endTurn(responseId, true);
    }
  }

  /** The connection is gone or the call ends: every response is cancelled. */
  cancelAll(reason: SentenceLossReason = 'call_ended'): void {
    for (const r of [...this.live]) this.cancel(r, reason);
  }

  /** The AI link dropped or closed: cancel everything and close the providers' sockets (reopened on demand). */
  release(): void {
    this.cancelAll('call_ended');
    this.queue = [];
    this.deps.primary.close();
    this.deps.fallback.close();
  }

  /** For good: nothing is spoken after this. */
  stop(): void {
    this.stopped = true;
    this.release();
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (!this.stopped) {
        const pre = this.ahead;
        this.ahead = undefined;
        const s = pre?.sentence ?? this.queue.shift();
        if (!s) break;
        if (!this.live.has(s.responseId)) {
          pre?.ctl.abort();
          this.deps.metrics?.cancelledDrops.inc({ stage: 'queue' });
          continue;
        }
        try {
          await this.speak(s, pre);
        } catch (err) {
          // Our own fault, not a provider's: the sentence is counted, the queue keeps moving and
          // the response still ends (its response_done is never held by a dead sentence).
          this.lost(s, 'internal_error');
          process.emitWarning(`cascade speaker: sentence failed: ${err instanceof Error ? err.message : String(err)}`);
        }
        this.finishIfDone(s.responseId);
      }
    } finally {
      this.running = false;
    }
  }

  private finishIfDone(responseId: string): void {
    if (!this.ending.has(responseId) || this.busy?.sentence.responseId === responseId) return;
    if (this.ahead?.sentence.responseId === responseId) return;
    if (this.queue.some((s) => s.responseId === responseId)) return;
    this.ending.delete(responseId);
    this.live.delete(responseId);
    if (this.outOwner === responseId) {
      const tail = this.deps.out.end();
      this.outOwner = undefined;
      if (tail.length > 0) this.deps.onAudio(responseId, tail, undefined);
    }
    this.deps.primary.endTurn(responseId, false);
    this.deps.fallback.endTurn(responseId, false);
    this.deps.onResponseSpoken(responseId);
  }

  private async speak(s: Sentence, pre: Ahead | undefined): Promise<void> {
    const { primary, fallback, cache, breaker } = this.deps;
    const ctl = pre?.ctl ?? new AbortController();
    this.busy = { sentence: s, ctl };
    try {
      let route: Route;
      let first: TtsProvider;
      let request: Promise<TtsOutcome>;
      if (pre) {
        // Its turn has come: what it already has goes out now, the rest as it arrives.
        ({ route, provider: first, outcome: request } = pre);
        const held = pre.gate.held ?? [];
        pre.gate.held = undefined;
        for (const c of held) this.emit(s, c.pcm, c.rate);
      } else {
        const hit = cache.getAny([this.key(primary, s.text), this.key(fallback, s.text)]);
        if (hit) {
          this.emit(s, hit.pcm, hit.rate);
          this.deps.onSentence?.(s, 'cache');
          return;
        }
        route = breaker.route();
        first = route === 'fallback' ? fallback : primary;
        request = this.synthesize(first, s, s.text, ctl, { held: undefined });
      }
      this.busy.route = route;
      this.prefetch();
      let outcome: TtsOutcome;
      try {
        outcome = await request;
      } catch (err) {
        // Never leave the breaker waiting on a probe that can no longer report (TT4): a throw
        // on our side says nothing about the provider — reported as an abort.
        if (first === primary) breaker.report({ kind: 'aborted' }, route === 'probe');
        throw err;
      }
      if (first === primary) breaker.report(outcome, route === 'probe');
      if (outcome.kind === 'ok') return this.deps.onSentence?.(s, first === primary ? 'primary' : 'fallback');
      if (outcome.kind === 'aborted' || ctl.signal.aborted || !this.live.has(s.responseId)) return; // counted by cancel()
      this.dropAhead();
      if (first === fallback) return this.lost(s, 'fallback_failed');
      // The primary failed in this sentence: the fallback says it now — whole, or from the start
      // of the clause the primary's audio had reached — without waiting for the breaker.
      const at = outcome.bytes > 0 ? restartPoint(s.text, outcome.chars) : { offset: 0, skippedChars: 0 };
      if (outcome.bytes > 0) {
        const primaryMs = (outcome.bytes / 2 / primary.rate) * 1000;
        const spoken = outcome.chars ?? 0;
        const repeatedMs = spoken > 0 ? (primaryMs * (spoken - at.skippedChars)) / spoken : primaryMs;
        this.deps.metrics?.failoverRepeat.observe(repeatedMs / 1000);
        this.deps.onRescue?.(s, { primaryMs, repeatedMs, restartAt: at.offset });
      }
      this.deps.metrics?.failovers.inc();
      // Nothing is asked for ahead while the fallback rescues: the primary just failed, and the
      // breaker has yet to hear of the next sentence's fate from the primary itself.
      this.busy.route = undefined;
      const rest = await this.synthesize(fallback, s, s.text.slice(at.offset), ctl, { held: undefined });
      if (rest.kind === 'ok') this.deps.onSentence?.(s, outcome.bytes > 0 ? 'rescued' : 'fallback');
      else if (rest.kind === 'failed' && !ctl.signal.aborted && this.live.has(s.responseId)) this.lost(s, 'both_failed');
    } finally {
      this.busy = undefined;
    }
  }

  /**
   * Asks for the next queued sentence while the current one is spoken: one ahead at most, of the
   * same response, not from the cache (that is instant anyway), from the provider the current one
   * was routed to while the breaker still routes there (never as or beside the probe), and only
   * when the provider has room for a second request of the turn.
   */
  private prefetch(): void {
    const busy = this.busy;
    const next = this.queue[0];
    if ((this.deps.ahead ?? 1) < 1 || this.ahead || !busy || busy.ctl.signal.aborted || this.stopped) return;
    if (!next || next.responseId !== busy.sentence.responseId || !this.live.has(next.responseId)) return;
    const { primary, fallback, breaker, cache } = this.deps;
    if (cache.has(this.key(primary, next.text)) || cache.has(this.key(fallback, next.text))) return;
    // Only where the sentence before it went, steadily: never as the probe, nor beside one (its
    // outcome decides where the next sentence goes), nor across a breaker change.
    const route = breaker.peek();
    if (route === 'probe' || route !== busy.route) return;
    const provider = route === 'primary' ? primary : fallback;
    if (provider.canPrefetch?.(next.responseId) === false) return;
    this.queue.shift();
    const ctl = new AbortController();
    const gate: Gate = { held: [] };
    const ahead: Ahead = { sentence: next, provider, route, ctl, gate, outcome: this.synthesize(provider, next, next.text, ctl, gate), settled: undefined };
    ahead.outcome.then(
      (o) => (ahead.settled = o),
      () => (ahead.settled = { kind: 'aborted' }),
    );
    this.ahead = ahead;
  }

  /** The sentence before it failed: the prefetch is dropped unreported and its sentence asked for again in turn (unless it already completed). */
  private dropAhead(): void {
    const a = this.ahead;
    if (!a || a.settled?.kind === 'ok') return;
    this.ahead = undefined;
    a.ctl.abort();
    this.queue.unshift(a.sentence);
  }

  private lost(s: Sentence, reason: SentenceLossReason): void {
    this.deps.metrics?.sentencesLost.inc({ reason });
    this.deps.onSentence?.(s, 'lost');
  }

  private key(p: TtsProvider, text: string): string {
    return cacheKey({ provider: p.name, voice: p.voice, model: p.model, text });
  }

  /**
   * One request for `text` (the sentence, or its rest after a rescue); its audio goes out as it
   * arrives and, only when the request completes, into the cache under that text's key — an
   * aborted or failed request's audio is never stored.
   */
  private async synthesize(p: TtsProvider, s: Sentence, text: string, ctl: AbortController, gate: Gate): Promise<TtsOutcome> {
    const now = this.deps.now ?? Date.now;
    const t0 = now();
    let firstChunk = true;
    const parts: Buffer[] = [];
    let rate: number | undefined;
    let mixedRates = false;
    const outcome = await p.synthesize({
      text,
      turn: s.responseId,
      signal: ctl.signal,
      onChunk: (c) => {
        // A chunk of a cancelled response that was already in flight: never spoken (TT1).
        if (ctl.signal.aborted || !this.live.has(s.responseId)) {
          this.deps.metrics?.cancelledDrops.inc({ stage: 'audio' });
          return;
        }
        if (firstChunk) {
          firstChunk = false;
          this.deps.metrics?.ttsFirstChunk.observe({ provider: p.name }, (now() - t0) / 1000);
        }
        parts.push(c.pcm);
        if (rate !== undefined && rate !== c.rate) mixedRates = true;
        rate = c.rate;
        if (gate.held) gate.held.push(c);
        else this.emit(s, c.pcm, c.rate);
      },
    });
    // Whoever ended it, an abort we asked for is an abort (TT3).
    const final: TtsOutcome = ctl.signal.aborted ? { kind: 'aborted' } : outcome;
    this.deps.metrics?.request(p.name, final.kind);
    // Only audio whose completion the provider proved (alignment covered the text, final, body
    // end) is stored: a cached entry is never part of a sentence.
    if (final.kind === 'ok' && !final.inferred && rate !== undefined && !mixedRates) {
      const audio: CachedAudio = { pcm: Buffer.concat(parts), rate };
      this.deps.cache.put(this.deps.owner, this.key(p, text), audio);
    }
    return final;
  }

  private emit(s: Sentence, pcm: Buffer, rate: number): void {
    const audio = this.deps.out.convert(pcm, rate);
    this.outOwner = s.responseId;
    if (audio.length > 0) this.deps.onAudio(s.responseId, audio, s);
  }
}
