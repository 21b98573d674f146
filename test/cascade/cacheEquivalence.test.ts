// Issue 20 (part 4): the TTS cache is invisible to the caller — the same script gives the same
// audio, sample for sample, with the cache on and off; only the providers' request counts differ.
// The script repeats sentences within and across responses (what the cache serves) and includes a
// barge-in (whose cut sentence must not be stored), on the speech-like voice, so two different
// sentences never sound alike.
import { afterEach, describe, expect, it } from 'vitest';
import { startTtsFakes } from '../../src/tools/sim/tts/index.js';
import { say, startRig, until, type Endpoint, type Rig } from './rig.js';

const VOICE = { msPerChar: 20, chunkMs: 60, speed: 6, firstChunkDelayMs: 10 };
const A = 'Thanks for calling Parley.';
const B = 'How can I help you today?';
const C = 'Let me check that for you, it only takes a moment.';
const D = 'Your order shipped yesterday.';
/** [response id, sentences, barged after its first audio]. */
const SCRIPT: readonly (readonly [string, readonly string[], boolean])[] = [
  ['r1', [A, B], false],
  ['r2', [C, D, A], true],
  ['r3', [B, A, C], false],
  ['r4', [D, B], false],
];

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});

interface Run {
  readonly audio: Map<string, Int16Array>;
  readonly elevenlabsRequests: number;
  readonly openaiRequests: number;
  readonly cacheHits: number;
}

async function run(endpoint: Endpoint, cacheBytes: number): Promise<Run> {
  const fakes = await startTtsFakes({ elevenlabs: VOICE, openai: VOICE });
  const rig = await startRig({ endpoint, cacheBytes, fakes });
  rigs.push(rig);
  const audio = new Map<string, Int16Array>();
  try {
    for (const [id, sentences, barge] of SCRIPT) {
      say(rig.inner, id, sentences);
      if (barge) {
        await until(`${id} audio`, () => rig.audioOf(id).length > 0, 5000);
        rig.client.cancelResponse(id);
        await until(`${id} ended`, () => rig.events.some((e) => e.type === 'response_done' && e.responseId === id), 5000);
        await new Promise((r) => setTimeout(r, 100)); // let the aborted request settle
        continue; // how much of a barged response was produced depends on timing: not compared
      }
      await until(`${id} done`, () => rig.events.some((e) => e.type === 'response_done' && e.responseId === id), 8000);
      audio.set(id, rig.audioOf(id));
    }
    return {
      audio,
      elevenlabsRequests: fakes.elevenlabs.stats().requests,
      openaiRequests: fakes.openai.stats().requests,
      cacheHits: rig.sources.filter((s) => s.source === 'cache').length,
    };
  } finally {
    await rig.close();
    await fakes.close();
  }
}

describe.each<Endpoint>(['multi', 'http'])('cache on and off, ElevenLabs %s', (endpoint) => {
  it('give the same audio for the same script; only the request counts differ', async () => {
    const on = await run(endpoint, 8 << 20);
    const off = await run(endpoint, 0);
    for (const id of ['r1', 'r3', 'r4']) {
      const a = on.audio.get(id)!;
      const b = off.audio.get(id)!;
      expect(a.length, `${id} length`).toBeGreaterThan(0);
      expect(a.length, `${id} length`).toBe(b.length);
      expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${id} samples`).toBe(true);
    }
    // r3's B and A and r4's B were said in full by r1: hits with the cache on (r2's C and D were
    // cut by the barge-in, or never started, so they may miss).
    expect(on.cacheHits).toBeGreaterThanOrEqual(3);
    expect(off.cacheHits).toBe(0);
    expect(on.elevenlabsRequests).toBeLessThan(off.elevenlabsRequests);
    expect(on.openaiRequests + off.openaiRequests).toBe(0);
  }, 30_000);
});
