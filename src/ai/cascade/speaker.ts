// The TTS side of one call: sentences (tagged with their response id) are synthesized one at a
// time, in order — from the cache, else from the provider the breaker picks, failing over to the
// fallback when the primary fails before producing audio — and their audio, converted from the
// producing provider's own rate (TT2), is handed on tagged with the response id.
//
// A cancelled response (barge-in) is dropped at every stage (TT1): it leaves the live set, its
// queued sentences are removed, its request in flight is aborted (close_context / HTTP abort),
// the converter's filter state is discarded, and any chunk that still arrives for it is dropped
// at the sink. Only outcomes of requests we did not abort are reported to the breaker as
// failures (TT3).
import type { TtsBreaker } from './breaker.js';
import { cacheKey, type CachedAudio, type TtsCache } from './cache.js';
import type { TtsAudioOut } from './audioOut.js';
import type { CascadeMetrics } from './metrics.js';
import type { TtsOutcome, TtsProvider } from './tts/types.js';

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
  /** Converted audio of a live response, in order. */
  onAudio(responseId: string, audio: Buffer, sentence: Sentence | undefined): void;
  /** Every sentence of an ended response has been spoken (or lost). */
  onResponseSpoken(responseId: string): void;
  /** A sentence was spoken, by which source. */
  onSentence?(sentence: Sentence, source: 'cache' | 'primary' | 'fallback' | 'lost'): void;
}

export class Speaker {
  private queue: Sentence[] = [];
  private readonly live = new Set<string>();
  private readonly ending = new Set<string>();
  private busy: { readonly sentence: Sentence; readonly ctl: AbortController } | undefined;
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
      this.deps.metrics?.sentencesLost.inc();
      this.deps.onSentence?.(s, 'lost');
      return;
    }
    this.queue.push(s);
    void this.pump();
  }

  /** The response's text is complete: once its last sentence is spoken, onResponseSpoken. */
  end(responseId: string): void {
    if (!this.live.has(responseId)) return;
    this.ending.add(responseId);
    this.finishIfDone(responseId);
  }

  /** Barge-in (or the response failed): drop everything of it, everywhere. */
  cancel(responseId: string): void {
    const wasLive = this.live.delete(responseId);
    this.ending.delete(responseId);
    const before = this.queue.length;
    this.queue = this.queue.filter((s) => s.responseId !== responseId);
    if (this.queue.length < before) this.deps.metrics?.cancelledDrops.inc({ stage: 'queue' }, before - this.queue.length);
    if (this.busy?.sentence.responseId === responseId) this.busy.ctl.abort();
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
  cancelAll(): void {
    for (const r of [...this.live]) this.cancel(r);
  }

  /** The AI link dropped or closed: cancel everything and close the providers' sockets (reopened on demand). */
  release(): void {
    this.cancelAll();
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
        const s = this.queue.shift();
        if (!s) break;
        if (!this.live.has(s.responseId)) {
          this.deps.metrics?.cancelledDrops.inc({ stage: 'queue' });
          continue;
        }
        await this.speak(s);
        this.finishIfDone(s.responseId);
      }
    } finally {
      this.running = false;
    }
  }

  private finishIfDone(responseId: string): void {
    if (!this.ending.has(responseId) || this.busy?.sentence.responseId === responseId) return;
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

  private async speak(s: Sentence): Promise<void> {
    const { primary, fallback, cache, breaker } = this.deps;
    const ctl = new AbortController();
    this.busy = { sentence: s, ctl };
    try {
      const hit = cache.getAny([this.key(primary, s.text), this.key(fallback, s.text)]);
      if (hit) {
        this.emit(s, hit.pcm, hit.rate);
        this.deps.onSentence?.(s, 'cache');
        return;
      }
      const route = breaker.route();
      const first = route === 'fallback' ? fallback : primary;
      let outcome = await this.synthesize(first, s, ctl);
      if (first === primary) breaker.report(outcome, route === 'probe');
      let by: TtsProvider = first;
      // The primary failed before any audio: the fallback says the whole sentence. (After some
      // audio it would repeat words; the rest of that sentence is lost instead.)
      if (outcome.kind === 'failed' && first === primary && outcome.bytes === 0 && !ctl.signal.aborted && this.live.has(s.responseId)) {
        this.deps.metrics?.failovers.inc();
        by = fallback;
        outcome = await this.synthesize(fallback, s, ctl);
      }
      if (outcome.kind === 'failed') {
        this.deps.metrics?.sentencesLost.inc();
        this.deps.onSentence?.(s, 'lost');
      } else if (outcome.kind === 'ok') this.deps.onSentence?.(s, by === primary ? 'primary' : 'fallback');
    } finally {
      this.busy = undefined;
    }
  }

  private key(p: TtsProvider, text: string): string {
    return cacheKey({ provider: p.name, voice: p.voice, model: p.model, text });
  }

  /** One request; its audio goes out as it arrives and, when it completes, into the cache. */
  private async synthesize(p: TtsProvider, s: Sentence, ctl: AbortController): Promise<TtsOutcome> {
    const now = this.deps.now ?? Date.now;
    const t0 = now();
    let firstChunk = true;
    const parts: Buffer[] = [];
    let rate: number | undefined;
    let mixedRates = false;
    const outcome = await p.synthesize({
      text: s.text,
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
        this.emit(s, c.pcm, c.rate);
      },
    });
    // Whoever ended it, an abort we asked for is an abort (TT3).
    const final: TtsOutcome = ctl.signal.aborted ? { kind: 'aborted' } : outcome;
    this.deps.metrics?.request(p.name, final.kind);
    if (final.kind === 'ok' && rate !== undefined && !mixedRates) {
      const audio: CachedAudio = { pcm: Buffer.concat(parts), rate };
      this.deps.cache.put(this.deps.owner, this.key(p, s.text), audio);
    }
    return final;
  }

  private emit(s: Sentence, pcm: Buffer, rate: number): void {
    const audio = this.deps.out.convert(pcm, rate);
    this.outOwner = s.responseId;
    if (audio.length > 0) this.deps.onAudio(s.responseId, audio, s);
  }
}
