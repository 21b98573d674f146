// A CascadeAiClient on the real TTS fakes over loopback, with a stand-in for the LLM socket
// (StubRealtime): the rig of the speaker-level tests (failover, cache, cycles). ElevenLabs speaks
// a 440 Hz tone at 16 kHz, OpenAI TTS 600 Hz at 24 kHz, so pitch tells who spoke.
import { Registry } from 'prom-client';
import { CascadeAiClient } from '../../src/ai/cascade/client.js';
import { TtsAudioOut } from '../../src/ai/cascade/audioOut.js';
import { TtsBreaker } from '../../src/ai/cascade/breaker.js';
import { TtsCache } from '../../src/ai/cascade/cache.js';
import { CascadeMetrics } from '../../src/ai/cascade/metrics.js';
import type { Sentence } from '../../src/ai/cascade/speaker.js';
import { ElevenLabsHttp } from '../../src/ai/cascade/tts/elevenlabs/http.js';
import { ElevenLabsMultiContext, type ElevenLabsOptions } from '../../src/ai/cascade/tts/elevenlabs/multiContext.js';
import { ElevenLabsSingleContext } from '../../src/ai/cascade/tts/elevenlabs/singleContext.js';
import { OpenAiTts } from '../../src/ai/cascade/tts/openaiTts.js';
import type { TtsProvider } from '../../src/ai/cascade/tts/types.js';
import type { AiEvent } from '../../src/ai/types.js';
import { startTtsFakes, type TtsFakes } from '../../src/tools/sim/tts/index.js';
import { StubRealtime } from './stubRealtime.js';

export const FORMAT = { codec: 'pcm16', rate: 24000 } as const;
export const EL_HZ = 440;
export const OPENAI_HZ = 600;
export type Endpoint = 'multi' | 'single' | 'http';

export interface RigOptions {
  readonly endpoint?: Endpoint;
  readonly threshold?: number;
  readonly cooldownMs?: number;
  readonly speed?: number;
  readonly cacheBytes?: number;
  readonly msPerChar?: number;
  readonly chunkMs?: number;
  /** One breaker for several rigs (the process's). */
  readonly breaker?: TtsBreaker;
  readonly cache?: TtsCache;
  readonly fakes?: TtsFakes;
}

export interface Rig {
  readonly fakes: TtsFakes;
  readonly inner: StubRealtime;
  readonly client: CascadeAiClient;
  readonly breaker: TtsBreaker;
  readonly cache: TtsCache;
  readonly registry: Registry;
  readonly events: AiEvent[];
  readonly sources: { sentence: Sentence; source: string }[];
  readonly rescues: { primaryMs: number; repeatedMs: number; restartAt: number }[];
  audioOf(responseId: string): Int16Array;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export async function startRig(o: RigOptions = {}): Promise<Rig> {
  const msPerChar = o.msPerChar ?? 30;
  const voice = { msPerChar, chunkMs: o.chunkMs ?? 100, speed: o.speed ?? 4, firstChunkDelayMs: 20 };
  const fakes = o.fakes ?? (await startTtsFakes({ elevenlabs: { ...voice, toneHz: EL_HZ }, openai: { ...voice, toneHz: OPENAI_HZ } }));
  const registry = new Registry();
  const metrics = new CascadeMetrics(registry);
  const cache = o.cache ?? new TtsCache({ maxBytes: o.cacheBytes ?? 8 << 20, maxCallBytes: o.cacheBytes ?? 8 << 20, ttlMs: 60_000 });
  const breaker = o.breaker ?? new TtsBreaker({ threshold: o.threshold ?? 3, cooldownMs: o.cooldownMs ?? 60_000 });
  const timeouts = { connectMs: 1000, firstChunkMs: 1000, idleMs: 1000 };
  const el: ElevenLabsOptions = { url: { base: fakes.elevenlabs.url, voice: 'v', model: 'm', outputFormat: 'pcm_16000' }, rate: 16000, timeouts };
  const primary: TtsProvider =
    o.endpoint === 'single' ? new ElevenLabsSingleContext(el) : o.endpoint === 'http' ? new ElevenLabsHttp({ ...el, url: { ...el.url, base: fakes.elevenlabs.httpUrl! } }) : new ElevenLabsMultiContext(el);
  const inner = new StubRealtime();
  const sources: Rig['sources'] = [];
  const rescues: Rig['rescues'] = [];
  const client = new CascadeAiClient({
    inner,
    format: FORMAT,
    metrics,
    speaker: {
      primary,
      fallback: new OpenAiTts({ url: fakes.openai.url, model: 'tts', voice: 'alloy', timeouts }),
      breaker,
      cache,
      owner: `call-${Math.random()}`,
      out: new TtsAudioOut(FORMAT, 'native'),
      metrics,
      onSentence: (sentence, source) => sources.push({ sentence, source }),
      onRescue: (_s, info) => rescues.push(info),
    },
  });
  const events: AiEvent[] = [];
  client.on((e) => events.push(e));
  const audioOf = (responseId: string) => {
    const bufs = events.filter((e): e is Extract<AiEvent, { type: 'audio_delta' }> => e.type === 'audio_delta' && e.responseId === responseId).map((e) => e.audio);
    const b = Buffer.concat(bufs);
    return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  };
  const metric = async (name: string, labels: Record<string, string> = {}) => {
    const m = registry.getSingleMetric(name);
    if (!m) throw new Error(`no metric ${name}`);
    const values = (await m.get()).values.filter((v) => Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want));
    return values.filter((v) => !('metricName' in v) || (v as { metricName?: string }).metricName === undefined || (v as { metricName: string }).metricName.endsWith('_count')).reduce((a, v) => a + v.value, 0);
  };
  return {
    fakes,
    inner,
    client,
    breaker,
    cache,
    registry,
    events,
    sources,
    rescues,
    audioOf,
    metric,
    async close() {
      client.close();
      if (!o.breaker) breaker.stop();
      if (!o.fakes) await fakes.close();
    },
  };
}

export async function until(what: string, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Streams the sentences as word deltas, like an LLM, and ends the response's text. */
export function say(inner: StubRealtime, responseId: string, sentences: readonly string[], end = true): void {
  inner.created(responseId);
  for (const w of sentences.join(' ').split(/(?<= )/)) inner.text(responseId, w);
  if (end) inner.done(responseId);
}

export const visible = (s: string): number => [...s].filter((c) => c.trim()).length;
export const msOf = (samples: number): number => (samples / FORMAT.rate) * 1000;
