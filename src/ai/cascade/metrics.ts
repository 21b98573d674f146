// Cascade-mode metrics, registered in the server's registry beside the core ones (src/obs).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EvictReason } from './cache.js';
import type { TtsProviderName } from './tts/types.js';

/** Where a sentence (or its audio) of a cancelled response was dropped (TT1, at every stage). */
export type CascadeDropStage = 'text' | 'queue' | 'audio';
export type TtsRequestOutcome = 'ok' | 'failed' | 'aborted';
/**
 * Why a sentence was not heard in full (TT5): both providers failed in it; the breaker had
 * routed it to the fallback, which failed; its response was cancelled (barge-in) or failed
 * upstream; the call or its AI link ended; the per-call sentence queue was full; a fault of ours.
 */
export type SentenceLossReason = 'both_failed' | 'fallback_failed' | 'barge_in' | 'response_failed' | 'call_ended' | 'queue_full' | 'internal_error';

export class CascadeMetrics {
  readonly cacheLookups: Counter<'result'>;
  readonly cacheEvictions: Counter<'reason'>;
  readonly cacheRefused: Counter;
  readonly cacheBytes: Gauge;
  readonly cacheEntries: Gauge;
  readonly ttsRequests: Counter<'provider' | 'outcome'>;
  readonly ttsFirstChunk: Histogram<'provider'>;
  readonly failovers: Counter;
  readonly breakerTransitions: Counter<'to'>;
  readonly cancelledDrops: Counter<'stage'>;
  readonly sentencesLost: Counter<'reason'>;
  readonly failoverRepeat: Histogram;
  readonly ignored: Counter<'why'>;

  /** The cache the gauges read at each scrape. */
  cache: { readonly bytes: number; readonly entries: number } | undefined;

  constructor(registry: Registry) {
    const registers = [registry];
    this.cacheLookups = new Counter({ name: 'parley_tts_cache_lookups_total', help: 'TTS cache lookups by result (hit, miss)', labelNames: ['result'], registers });
    this.cacheEvictions = new Counter({
      name: 'parley_tts_cache_evictions_total',
      help: 'TTS cache entries evicted, by reason (lru: process cap, call_cap, ttl, replaced)',
      labelNames: ['reason'],
      registers,
    });
    this.cacheRefused = new Counter({ name: 'parley_tts_cache_refused_total', help: 'TTS audio too large for either cache cap (not cached)', registers });
    const self = this;
    this.cacheBytes = new Gauge({
      name: 'parley_tts_cache_bytes',
      help: 'bytes held by the TTS cache (audio + keys + overhead)',
      registers,
      collect() {
        if (self.cache) this.set(self.cache.bytes);
      },
    });
    this.cacheEntries = new Gauge({
      name: 'parley_tts_cache_entries',
      help: 'entries in the TTS cache',
      registers,
      collect() {
        if (self.cache) this.set(self.cache.entries);
      },
    });
    this.ttsRequests = new Counter({
      name: 'parley_tts_requests_total',
      help: 'TTS requests (one per sentence) by provider and outcome; aborted = cut by barge-in, never a failure',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.ttsFirstChunk = new Histogram({
      name: 'parley_tts_first_chunk_seconds',
      help: 'sentence sent to the TTS provider → its first audio chunk',
      labelNames: ['provider'],
      buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5],
      registers,
    });
    this.failovers = new Counter({ name: 'parley_tts_failovers_total', help: 'sentences (or their rest) re-said by the fallback at once after the primary failed in them', registers });
    this.failoverRepeat = new Histogram({
      name: 'parley_tts_failover_repeat_seconds',
      help: "primary audio of a sentence the fallback says again after a mid-sentence failure (from the primary's alignment)",
      buckets: [0, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2],
      registers,
    });
    this.breakerTransitions = new Counter({
      name: 'parley_tts_breaker_transitions_total',
      help: 'TTS circuit breaker: opened (to fallback), closed (back to primary)',
      labelNames: ['to'],
      registers,
    });
    this.cancelledDrops = new Counter({
      name: 'parley_tts_cancelled_drops_total',
      help: 'text deltas, queued sentences and audio chunks of cancelled responses dropped, by stage',
      labelNames: ['stage'],
      registers,
    });
    this.sentencesLost = new Counter({
      name: 'parley_tts_sentences_lost_total',
      help: 'sentences not heard in full, by reason (both_failed, fallback_failed, barge_in, response_failed, call_ended, queue_full, internal_error)',
      labelNames: ['reason'],
      registers,
    });
    this.ignored = new Counter({ name: 'parley_tts_ignored_total', help: 'TTS provider messages not used, by why', labelNames: ['why'], registers });
  }

  evicted(reason: EvictReason): void {
    this.cacheEvictions.inc({ reason });
  }

  request(provider: TtsProviderName, outcome: TtsRequestOutcome): void {
    this.ttsRequests.inc({ provider, outcome });
  }
}
