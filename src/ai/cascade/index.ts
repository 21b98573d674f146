// Cascade mode (PARLEY_AI=cascade) for the composition root: one CascadeService per process —
// the shared TTS cache, the shared breaker, the metrics — which builds one CascadeAiClient per
// call (its own LLM socket, TTS sockets, sentence buffers and converter).
import type { Registry } from 'prom-client';
import type { ParleyConfig } from '../../config/index.js';
import type { AudioFormat } from '../../media/types.js';
import { OpenAIRealtimeClient } from '../openai/client.js';
import type { AiClient } from '../types.js';
import { TtsAudioOut } from './audioOut.js';
import { createTtsBreaker, type TtsBreaker, type TtsBreakerFactory } from './breaker.js';
import { TtsCache } from './cache.js';
import { CascadeAiClient } from './client.js';
import { CascadeMetrics } from './metrics.js';
import type { ResamplerKind } from './resample.js';
import { ElevenLabsMultiContext, type ElevenLabsOptions } from './tts/elevenlabs/multiContext.js';
import { ElevenLabsSingleContext } from './tts/elevenlabs/singleContext.js';
import { ElevenLabsHttp } from './tts/elevenlabs/http.js';
import { OpenAiTts } from './tts/openaiTts.js';
import { rateOfPcmFormat, type TtsProvider } from './tts/types.js';

export { CascadeAiClient } from './client.js';
export { SentenceBuffer, SENTENCE_RULES, type SentenceRules } from './sentenceBuffer.js';
export { TtsCache, cacheKey } from './cache.js';
export { TtsBreaker, createTtsBreaker, type TtsBreakerFactory } from './breaker.js';
export { CascadeMetrics } from './metrics.js';

export interface CascadeServiceOptions {
  readonly config: ParleyConfig;
  /** The server's metrics registry. */
  readonly registry: Registry;
  /** The media engine's kind: which resampler converts TTS audio. */
  readonly resampler: ResamplerKind;
  readonly log?: { warn(obj: Record<string, unknown>, msg: string): void; info(obj: Record<string, unknown>, msg: string): void };
  /** Builds the breaker shared by every call's cascade client (the runtime's; default createTtsBreaker). */
  readonly createBreaker?: TtsBreakerFactory;
}

export class CascadeService {
  readonly metrics: CascadeMetrics;
  readonly cache: TtsCache;
  readonly breaker: TtsBreaker;
  private seq = 0;

  constructor(private readonly opts: CascadeServiceOptions) {
    const { tts } = opts.config;
    this.metrics = new CascadeMetrics(opts.registry);
    this.cache = new TtsCache({
      maxBytes: tts.cacheBytes,
      maxCallBytes: Math.min(tts.cacheCallBytes, tts.cacheBytes),
      ttlMs: tts.cacheTtlMs,
      onLookup: (hit) => this.metrics.cacheLookups.inc({ result: hit ? 'hit' : 'miss' }),
      onEvict: (reason) => this.metrics.evicted(reason),
      onRefuse: () => this.metrics.cacheRefused.inc(),
    });
    this.metrics.cache = this.cache;
    this.breaker = (opts.createBreaker ?? createTtsBreaker)({
      threshold: tts.failoverThreshold,
      cooldownMs: tts.cooldownMs,
      onOpened: () => {
        this.metrics.breakerTransitions.inc({ to: 'fallback' });
        opts.log?.warn({ failures: tts.failoverThreshold, cooldownMs: tts.cooldownMs }, 'ElevenLabs failing: TTS fails over to OpenAI TTS');
      },
      onClosed: () => {
        this.metrics.breakerTransitions.inc({ to: 'primary' });
        opts.log?.info({}, 'ElevenLabs answered the probe: TTS back on ElevenLabs');
      },
    });
  }

  /** The AI client of one call, speaking `format` (the call's AI format). */
  createClient(format: AudioFormat): AiClient {
    const { config } = this.opts;
    const owner = `call-${++this.seq}`;
    const inner = new OpenAIRealtimeClient({
      url: config.ai.openaiUrl,
      ...(config.ai.openaiApiKey ? { apiKey: config.ai.openaiApiKey } : {}),
      appendBatchMs: config.ai.appendBatchMs,
      inputFormat: format,
      connectTimeoutMs: config.ai.connectTimeoutMs,
    });
    return new CascadeAiClient({
      inner,
      format,
      metrics: this.metrics,
      speaker: {
        primary: this.elevenLabs(),
        fallback: this.openAiTts(),
        breaker: this.breaker,
        cache: this.cache,
        owner,
        out: new TtsAudioOut(format, this.opts.resampler),
        metrics: this.metrics,
        ahead: this.opts.config.tts.prefetch === 0 ? 0 : 1,
      },
      onClose: () => this.cache.release(owner),
    });
  }

  close(): void {
    this.breaker.stop();
    this.cache.clear();
  }

  private timeouts() {
    const ms = this.opts.config.tts.timeoutMs;
    return { connectMs: ms, firstChunkMs: ms, idleMs: ms };
  }

  private elevenLabs(): TtsProvider {
    const { ai, tts } = this.opts.config;
    const o: ElevenLabsOptions = {
      url: { base: ai.elevenlabsUrl, voice: tts.elevenlabsVoice, model: tts.elevenlabsModel, outputFormat: tts.elevenlabsFormat, inactivityTimeoutS: 180 },
      ...(ai.elevenlabsApiKey ? { apiKey: ai.elevenlabsApiKey } : {}),
      rate: rateOfPcmFormat(tts.elevenlabsFormat) ?? 16000,
      timeouts: this.timeouts(),
      onIgnored: (why) => this.metrics.ignored.inc({ why }),
    };
    if (tts.elevenlabsEndpoint === 'http') return new ElevenLabsHttp(o);
    return tts.elevenlabsEndpoint === 'single' ? new ElevenLabsSingleContext(o) : new ElevenLabsMultiContext(o);
  }

  private openAiTts(): TtsProvider {
    const { ai, tts } = this.opts.config;
    return new OpenAiTts({
      url: tts.openaiTtsUrl,
      ...(ai.openaiApiKey ? { apiKey: ai.openaiApiKey } : {}),
      model: tts.openaiTtsModel,
      voice: tts.openaiTtsVoice,
      timeouts: this.timeouts(),
    });
  }
}
