// Issue 20 (part 3, cascade on mod_audio_stream at 1×): the speaker asked the TTS for a sentence
// only once the one before it had finished, so at 1× every sentence boundary cost the next
// sentence's first-chunk latency — the far side's margin above the module's 60 ms gate shrank by
// that much at each boundary (one short last chunk after another) until it ran dry inside the
// answer. The fix asks for the next sentence while the current one still plays (one ahead).
//
// Deterministic: a manual clock (fake timers, 20 ms per tick), the real speaker, a provider that
// streams 200 ms chunks at exactly 1× after an 80 ms first-chunk latency (the stand-in's
// defaults), the real playout machine and the JS reference core, and the caller's own
// mod_audio_stream emulation (its inject buffer with the 60 ms gate).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor } from 'xstate';
import { playoutMachine } from '../../machines/playout.js';
import { TtsAudioOut } from '../../src/ai/cascade/audioOut.js';
import { TtsBreaker } from '../../src/ai/cascade/breaker.js';
import { TtsCache } from '../../src/ai/cascade/cache.js';
import { Speaker } from '../../src/ai/cascade/speaker.js';
import type { TtsOutcome, TtsProvider, TtsRequest } from '../../src/ai/cascade/tts/types.js';
import { loadConfig } from '../../src/config/index.js';
import type { PlayoutState } from '../../src/generated/playout.js';
import { resolveCallConfig, ulawEncode } from '../../src/media/index.js';
import { JsCall } from '../../src/media/reference/jsCall.js';
import { cushionMs, leadMs } from '../../src/session/open.js';
import { ModuleFarEnd } from '../../src/tools/sim/caller/far-end.js';
import { platformOf } from '../../src/telephony/registry.js';

const RATE = 8000;
const FRAME = 160; // samples per 20 ms
const MS_PER_CHAR = 30;

/** A streaming TTS at 1×: `firstMs` latency, then 200 ms chunks paced at real time; several requests may run at once (a multi-context socket, HTTP). */
function pacedProvider(name: 'elevenlabs' | 'openai', firstMs: number, log: string[] = []): TtsProvider {
  return {
    name,
    voice: 'v',
    model: 'm',
    rate: RATE,
    endTurn: () => {},
    close: () => {},
    synthesize(req: TtsRequest): Promise<TtsOutcome> {
      const idx = SENTENCES.indexOf(req.text);
      log.push(`ask ${idx} @${Date.now()}`);
      const samples = Math.round((req.text.length * MS_PER_CHAR * RATE) / 1000);
      const per = (200 * RATE) / 1000;
      return new Promise((resolve) => {
        const timers: NodeJS.Timeout[] = [];
        req.signal.addEventListener('abort', () => {
          for (const t of timers) clearTimeout(t);
          resolve({ kind: 'aborted' });
        });
        for (let k = 0, from = 0; from < samples; k++, from += per) {
          const n = Math.min(per, samples - from);
          const last = from + n >= samples;
          timers.push(
            setTimeout(() => {
              // Each sentence has its own sample value, so the caller's side can tell them apart.
              const pcm = Buffer.alloc(n * 2);
              for (let i = 0; i < n; i++) pcm.writeInt16LE(1000 * (idx + 1), 2 * i);
              req.onChunk({ pcm, rate: RATE });
              if (last) {
                log.push(`done ${idx} @${Date.now()}`);
                resolve({ kind: 'ok', bytes: samples * 2 });
              }
            }, firstMs + k * 200),
          );
        }
      });
    },
  };
}

interface Heard {
  /** The sentences in the order their audio entered the ring (one entry per run). */
  readonly order: number[];
  readonly underruns: number;
  readonly underrunMs: number;
  readonly heardMs: number;
  readonly expectedMs: number;
}

// 34, 28, 48, 54 and 35 characters at 30 ms each: every sentence ends on a 20 or 40 ms chunk,
// so each boundary leaves the next sentence 40–60 ms less than its 80 ms latency to arrive in.
const SENTENCES = [
  'This is the first sentence of all.',
  'Then a second, a bit longer.',
  'A third sentence, nearly as long as the longest.',
  'And a fourth sentence to close the whole answer, then.',
  'Bye now, and thank you for calling.',
];

/** One cascade answer of five sentences spoken on mod_audio_stream, ticked by hand. */
async function speakAnswer(ahead: 0 | 1, firstMs: number, log: string[] = []): Promise<Heard> {
  const config = loadConfig({ env: {}, overrides: {} });
  const platform = platformOf('audio-stream');
  const lookaheadMs = leadMs(config, platform);
  const call = new JsCall(1, resolveCallConfig({ telephony: { codec: 'pcm16', rate: RATE }, ai: { codec: 'mulaw', rate: RATE }, lookaheadMs }));
  const machine = createActor(playoutMachine, { input: { lookaheadMs, cushionMs: cushionMs(config, platform) } }).start();
  const sync = () => {
    call.state = machine.getSnapshot().value as PlayoutState;
  };
  sync();
  const far = new ModuleFarEnd(RATE, false, 5000, config.telephony.audioStreamMinFillMs);
  const breaker = new TtsBreaker({ threshold: 3, cooldownMs: 60_000 });
  let written = 0;
  let ended = false;
  let endPending = false;
  let drainPending = false;
  // The session's playout feed: what the ring refuses as full waits in order and moves in as it drains.
  const backlog: Buffer[] = [];
  const runs: number[] = [];
  const feed = () => {
    while (backlog.length > 0) {
      const audio = backlog[0]!;
      const w = call.writePlayout(new Uint8Array(audio), 0, 1);
      if (w === 'full') return;
      expect(w).toBe('ok');
      backlog.shift();
      written += audio.length;
      for (const b of audio) if (b !== runs.at(-1)) runs.push(b);
      drainPending = false;
      machine.send({ type: 'WRITE', bufferedMs: call.bufferedPlayoutBytes() / (RATE / 1000), chunkMs: audio.length / (RATE / 1000) });
      sync();
    }
  };
  const speaker = new Speaker({
    primary: pacedProvider('elevenlabs', firstMs, log),
    fallback: pacedProvider('openai', firstMs),
    breaker,
    cache: new TtsCache({ maxBytes: 0, maxCallBytes: 0, ttlMs: 60_000 }),
    owner: 'c',
    out: new TtsAudioOut({ codec: 'mulaw', rate: RATE }, 'js'),
    ahead,
    onAudio: (_id, audio) => {
      backlog.push(audio);
      feed();
    },
    onResponseSpoken: () => {
      endPending = true;
    },
  });
  speaker.open('r1');
  SENTENCES.forEach((text, seq) => speaker.enqueue({ responseId: 'r1', text, seq }));
  speaker.end('r1');
  const end = SENTENCES.reduce((n, s) => n + Math.round((s.length * MS_PER_CHAR * RATE) / 1000), 0);
  let padded = false;
  let played = 0;
  let underruns = 0;
  let underrunSamples = 0;
  for (let tick = 0; tick < 1000 && played < end; tick++) {
    await vi.advanceTimersByTimeAsync(20);
    call.tick({ tick, elapsed: 1, produced: false });
    feed();
    for (const f of call.readPlayout()) far.pushAudio(f.samples);
    for (const e of call.events()) {
      if (e.type !== 'drained') continue;
      drainPending = e.readIndex === call.playoutWriteIndex();
      machine.send({ type: 'MEDIA_DRAINED', caughtUp: drainPending });
    }
    // END_OF_RESPONSE once the response is done and its last chunk is in the ring (src/session/in/media.ts).
    if (endPending && backlog.length === 0) {
      endPending = false;
      ended = true;
      machine.send({ type: 'END_OF_RESPONSE' });
      if (drainPending) machine.send({ type: 'MEDIA_DRAINED', caughtUp: true });
    }
    sync();
    // The session's part on mod_audio_stream: once the answer has drained, silence past the gate.
    if (ended && !padded && machine.getSnapshot().value === 'drained') {
      padded = true;
      far.pushAudio((config.telephony.audioStreamMinFillMs * RATE) / 1000);
    }
    const p = far.tick().played;
    if (played > 0 && p < FRAME && played + p < end) {
      underruns += 1;
      underrunSamples += FRAME - p;
    }
    played += p;
  }
  expect(written).toBe(end);
  machine.stop();
  breaker.stop();
  speaker.stop();
  const codes = SENTENCES.map((_, k) => {
    const b = Buffer.alloc(1);
    ulawEncode(new Int16Array([1000 * (k + 1)]), b);
    return b[0]!;
  });
  return { order: runs.map((b) => codes.indexOf(b)), underruns, underrunMs: (underrunSamples / RATE) * 1000, heardMs: (played / RATE) * 1000, expectedMs: (end / RATE) * 1000 };
}

describe('cascade on mod_audio_stream, TTS at exactly 1× with an 80 ms first-chunk latency', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('one sentence at a time (the old speaker): the answer has gaps inside it', async () => {
    vi.useFakeTimers();
    const h = await speakAnswer(0, 80);
    expect(h.heardMs).toBeGreaterThanOrEqual(h.expectedMs);
    expect(h.order).toEqual([0, 1, 2, 3, 4]);
    expect(h.underruns).toBeGreaterThan(0);
  });

  it('the next sentence asked for while the current one plays: no gap inside the answer', async () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const h = await speakAnswer(1, 80, log);
    expect(h.heardMs).toBeGreaterThanOrEqual(h.expectedMs);
    expect({ underruns: h.underruns, underrunMs: h.underrunMs }).toEqual({ underruns: 0, underrunMs: 0 });
    // In order, each sentence whole before the next begins.
    expect(h.order).toEqual([0, 1, 2, 3, 4]);
    // One ahead, never more: sentence k+2 is asked for only once sentence k has all its audio;
    // and at the latest when sentence k+1's turn comes (once sentence k is complete).
    const at = (what: string, k: number) => Number(log.find((l) => l.startsWith(`${what} ${k} @`))!.split('@')[1]);
    expect(at('ask', 1)).toBeLessThan(at('done', 0));
    for (let k = 0; k + 2 < SENTENCES.length; k++) {
      expect(at('ask', k + 2)).toBeGreaterThanOrEqual(at('done', k));
      expect(at('ask', k + 2)).toBeLessThanOrEqual(Math.max(at('done', k), at('done', k + 1)));
    }
  });

  it('with no first-chunk latency either way works', async () => {
    vi.useFakeTimers();
    expect((await speakAnswer(1, 0)).underruns).toBe(0);
  });
});
