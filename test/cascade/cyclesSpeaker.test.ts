// Issue 20 part 2 at the speaker level (fast, deterministic ordering): several "calls" in a row
// on one process — each a new cascade client sharing the process's breaker, cache and providers'
// fakes — doing a normal turn, a barge-in, an ElevenLabs failure with recovery after the cooldown
// probe, then five barge-ins; the final answer must be spoken every time, cache on or off.
import { afterEach, describe, expect, it } from 'vitest';
import { TtsBreaker } from '../../src/ai/cascade/breaker.js';
import { TtsCache } from '../../src/ai/cascade/cache.js';
import { startTtsFakes, type TtsFakes } from '../../src/tools/sim/tts/index.js';
import { EL_HZ, OPENAI_HZ, say, startRig, until, type Endpoint, type Rig } from './rig.js';

const REPLIES = [
  ['Thanks for calling Parley.', 'How can I help you today?'],
  ['Sure, I can help with that.', 'Which day works better for you?'],
  ['Let me check that for you.', 'Is there anything else I can do?'],
];
let fakes: TtsFakes | undefined;
afterEach(async () => {
  await fakes?.close();
  fakes = undefined;
});

async function turn(rig: Rig, id: string, reply: readonly string[], barge: boolean): Promise<void> {
  say(rig.inner, id, reply);
  if (barge) {
    await until(`${id} audio`, () => rig.audioOf(id).length > 0, 5000);
    rig.client.cancelResponse(id);
    return;
  }
  await until(`${id} done`, () => rig.events.some((e) => e.type === 'response_done' && e.responseId === id), 8000);
}

describe.each<[Endpoint, number]>([
  ['multi', 8 << 20],
  ['multi', 0],
  ['single', 8 << 20],
])('failover / recovery / barge-in cycles (%s, cache %i bytes)', (endpoint, cacheBytes) => {
  it('every final answer is spoken', async () => {
    const voice = { msPerChar: 15, chunkMs: 40, speed: 4, firstChunkDelayMs: 10 };
    fakes = await startTtsFakes({ elevenlabs: { ...voice, toneHz: EL_HZ }, openai: { ...voice, toneHz: OPENAI_HZ } });
    const breaker = new TtsBreaker({ threshold: 1, cooldownMs: 150 });
    const cache = new TtsCache({ maxBytes: cacheBytes, maxCallBytes: cacheBytes, ttlMs: 60_000 });
    try {
      for (let call = 0; call < 4; call++) {
        const rig = await startRig({ endpoint, fakes, breaker, cache });
        try {
          let n = 0;
          const id = () => `c${call}_r${++n}`;
          await turn(rig, id(), REPLIES[0]!, false);
          await turn(rig, id(), REPLIES[1]!, true);
          fakes.elevenlabs.arm({ kind: 'error', code: 'internal_error', afterChunks: 1 }, 2);
          await turn(rig, id(), [`Failure turn ${call}, first part.`, `Failure turn ${call}, second part.`], false);
          await new Promise((r) => setTimeout(r, 200)); // the cooldown ends: the next miss probes
          await turn(rig, id(), [`Recovery turn ${call}.`], false);
          for (let b = 0; b < 5; b++) await turn(rig, id(), REPLIES[b % 3]!, true);
          const last = id();
          await turn(rig, last, REPLIES[2]!, false);
          expect(rig.audioOf(last).length, `call ${call}: final answer`).toBeGreaterThan(0);
          expect(breaker.state).not.toBe('probing');
        } finally {
          await rig.close();
        }
      }
      expect(fakes.elevenlabs.stats().contextLimitHits).toBe(0);
    } finally {
      breaker.stop();
    }
  }, 60_000);
});
