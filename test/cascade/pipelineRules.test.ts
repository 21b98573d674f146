// One sentence ahead (issue 20) keeps the speaker's rules: a barge-in aborts the prefetch too and
// counts exactly what one-at-a-time counts; a primary failing mid-sentence with a prefetch on the
// same provider is one failure for the breaker, the fallback re-says that sentence, the prefetch
// is asked for again, nothing is lost and the audio stays in order. Manual clock, fakes at 1×.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { TtsAudioOut } from '../../src/ai/cascade/audioOut.js';
import { TtsBreaker } from '../../src/ai/cascade/breaker.js';
import { TtsCache } from '../../src/ai/cascade/cache.js';
import { CascadeMetrics } from '../../src/ai/cascade/metrics.js';
import { Speaker, type Sentence } from '../../src/ai/cascade/speaker.js';
import type { TtsOutcome, TtsProvider, TtsRequest } from '../../src/ai/cascade/tts/types.js';

const RATE = 8000;
const TEXTS = ['First sentence here.', 'Second sentence here.', 'Third one.'];

interface Req {
  readonly provider: string;
  readonly text: string;
  outcome?: string;
}

/** 200 ms chunks at 1× after 80 ms; `failAtMs`: the socket fails every request in flight then (after the audio sent so far). */
function paced(name: 'elevenlabs' | 'openai', log: Req[], failAtMs?: number): TtsProvider {
  const live = new Set<(o: TtsOutcome) => void>();
  if (failAtMs !== undefined) {
    setTimeout(() => {
      for (const fail of [...live]) fail({ kind: 'failed', code: 'close_1011', message: 'internal_error', bytes: 0 });
    }, failAtMs);
  }
  return {
    name,
    voice: 'v',
    model: 'm',
    rate: RATE,
    endTurn: () => {},
    close: () => {},
    synthesize(req: TtsRequest): Promise<TtsOutcome> {
      const rec: Req = { provider: name, text: req.text };
      log.push(rec);
      const samples = req.text.length * 240; // 30 ms a character
      return new Promise((resolve) => {
        const timers: NodeJS.Timeout[] = [];
        let sent = 0;
        const end = (o: TtsOutcome) => {
          if (rec.outcome !== undefined) return;
          for (const t of timers) clearTimeout(t);
          live.delete(end);
          rec.outcome = o.kind;
          resolve(o.kind === 'failed' ? { ...o, bytes: sent } : o);
        };
        live.add(end);
        req.signal.addEventListener('abort', () => end({ kind: 'aborted' }));
        for (let k = 0, from = 0; from < samples; k++, from += 1600) {
          const n = Math.min(1600, samples - from);
          timers.push(
            setTimeout(() => {
              sent += n * 2;
              req.onChunk({ pcm: Buffer.alloc(n * 2), rate: RATE });
              if (from + n >= samples) end({ kind: 'ok', bytes: sent });
            }, 80 + k * 200),
          );
        }
      });
    },
  };
}

async function lostBy(registry: Registry): Promise<Record<string, number>> {
  const values = (await registry.getSingleMetric('parley_tts_sentences_lost_total')!.get()).values;
  return Object.fromEntries(values.filter((v) => v.value > 0).map((v) => [String(v.labels['reason']), v.value]));
}

function rig(ahead: 0 | 1, failAtMs?: number) {
  const log: Req[] = [];
  const registry = new Registry();
  const breaker = new TtsBreaker({ threshold: 3, cooldownMs: 60_000 });
  const written: number[] = [];
  const sources: string[] = [];
  const speaker = new Speaker({
    primary: paced('elevenlabs', log, failAtMs),
    fallback: paced('openai', log),
    breaker,
    cache: new TtsCache({ maxBytes: 0, maxCallBytes: 0, ttlMs: 60_000 }),
    owner: 'c',
    out: new TtsAudioOut({ codec: 'pcm16', rate: RATE }, 'js'),
    metrics: new CascadeMetrics(registry),
    ahead,
    onAudio: (_id, _audio, s?: Sentence) => {
      if (s && written.at(-1) !== s.seq) written.push(s.seq);
    },
    onResponseSpoken: () => {},
    onSentence: (s, source) => sources.push(`${s.seq}:${source}`),
  });
  speaker.open('r1');
  TEXTS.forEach((text, seq) => speaker.enqueue({ responseId: 'r1', text, seq }));
  speaker.end('r1');
  return { log, registry, breaker, speaker, written, sources };
}

describe('one sentence ahead keeps the rules', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('barge-in: the prefetch is aborted, none of its audio written, and the losses counted as one at a time counts them', async () => {
    const counts: Record<string, number>[] = [];
    for (const ahead of [0, 1] as const) {
      const r = rig(ahead);
      await vi.advanceTimersByTimeAsync(300); // the first sentence plays; the second is asked for ahead
      expect(r.log.map((q) => q.text)).toEqual(ahead === 1 ? TEXTS.slice(0, 2) : TEXTS.slice(0, 1));
      r.speaker.cancel('r1');
      await vi.advanceTimersByTimeAsync(2000);
      expect(r.log.every((q) => q.outcome === 'aborted')).toBe(true);
      expect(r.log).toHaveLength(ahead === 1 ? 2 : 1); // nothing asked for after the cancel
      expect(r.written).toEqual([0]);
      expect(r.breaker.failures).toBe(0);
      counts.push(await lostBy(r.registry));
      r.speaker.stop();
      r.breaker.stop();
    }
    expect(counts[1]).toEqual(counts[0]);
    expect(counts[1]).toEqual({ barge_in: 3 });
  });

  it('a primary failing mid-sentence with the prefetch on the same socket: one failure, the sentence rescued, the prefetch asked for again, nothing lost, in order', async () => {
    const r = rig(1, 300); // 80 ms + one chunk of the first sentence, then the socket fails
    await vi.advanceTimersByTimeAsync(400);
    expect(r.breaker.failures).toBe(1); // one fault, one failure (the prefetch's is not reported)
    await vi.advanceTimersByTimeAsync(6000);
    expect(r.sources).toEqual(['0:rescued', '1:primary', '2:primary']);
    expect(r.log.map((q) => `${q.provider} ${q.text} ${q.outcome}`)).toEqual([
      `elevenlabs ${TEXTS[0]} failed`,
      `elevenlabs ${TEXTS[1]} failed`, // the prefetch, failed with it: dropped unreported
      `openai ${TEXTS[0]} ok`,
      `elevenlabs ${TEXTS[1]} ok`,
      `elevenlabs ${TEXTS[2]} ok`,
    ]);
    expect(r.written).toEqual([0, 1, 2]);
    expect(await lostBy(r.registry)).toEqual({});
    r.speaker.stop();
    r.breaker.stop();
  });
});
