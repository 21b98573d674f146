// Issue 20 part 4: the TTS cache never serves a partial entry (an aborted, failed or rescued
// sentence's audio is stored only when complete, and only under the text it really says), and a
// lookup never waits on an entry no request is filling (there are no reservations: a lookup is a
// hit or a miss at once, even while another call's request for the same text hangs).
import { afterEach, describe, expect, it } from 'vitest';
import { TtsCache } from '../../src/ai/cascade/cache.js';
import { startTtsFakes } from '../../src/tools/sim/tts/index.js';
import { EL_HZ, msOf, OPENAI_HZ, say, startRig, until, visible, type Rig } from './rig.js';

const MS_PER_CHAR = 30;
const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.close();
});
const doneOf = (rig: Rig, id: string) => rig.events.some((e) => e.type === 'response_done' && e.responseId === id);

describe('TTS cache integrity', () => {
  it('a sentence cut by barge-in is not stored; said again, it is heard in full', async () => {
    const rig = await startRig({ speed: 1, msPerChar: MS_PER_CHAR });
    rigs.push(rig);
    const text = 'This sentence is long enough to be interrupted halfway through.';
    say(rig.inner, 'r1', [text]);
    await until('some audio', () => rig.audioOf('r1').length > 0);
    rig.client.cancelResponse('r1');
    await new Promise((r) => setTimeout(r, 100));
    expect(rig.cache.entries).toBe(0);
    rig.fakes.elevenlabs.heal();
    say(rig.inner, 'r2', [text]);
    await until('r2 done', () => doneOf(rig, 'r2'), 10_000);
    expect(Math.abs(msOf(rig.audioOf('r2').length) - visible(text) * MS_PER_CHAR)).toBeLessThan(40);
    expect(rig.fakes.elevenlabs.stats().requests).toBe(2);
  }, 15_000);

  it('a rescued sentence is never served from a partial entry: the rest is stored under the rest text only', async () => {
    const rig = await startRig({ msPerChar: MS_PER_CHAR, chunkMs: 40 });
    rigs.push(rig);
    const text = 'Ok, sure, I can help you with that today.';
    rig.fakes.elevenlabs.arm({ kind: 'error', code: 'internal_error', afterChunks: 3 });
    say(rig.inner, 'r1', [text]);
    await until('r1 done', () => doneOf(rig, 'r1'));
    expect(rig.rescues[0]!.restartAt).toBeGreaterThan(0);
    // The same sentence again: not a hit of the rest's audio — all of it, from ElevenLabs.
    say(rig.inner, 'r2', [text]);
    await until('r2 done', () => doneOf(rig, 'r2'));
    const a = rig.audioOf('r2');
    expect(Math.abs(msOf(a.length) - visible(text) * MS_PER_CHAR)).toBeLessThan(40);
    expect(rig.sources.at(-1)!.source).toBe('primary');
    // And the rest alone is a hit (complete audio of exactly that text, by OpenAI TTS).
    const rest = text.slice(rig.rescues[0]!.restartAt);
    say(rig.inner, 'r3', [rest]);
    await until('r3 done', () => doneOf(rig, 'r3'));
    expect(rig.sources.at(-1)!.source).toBe('cache');
    expect(Math.abs(msOf(rig.audioOf('r3').length) - visible(rest) * MS_PER_CHAR)).toBeLessThan(40);
  });

  it("a lookup never waits on another call's request for the same text, even one that hangs", async () => {
    const fakes = await startTtsFakes({
      elevenlabs: { msPerChar: MS_PER_CHAR, chunkMs: 100, speed: 4, firstChunkDelayMs: 20, toneHz: EL_HZ },
      openai: { msPerChar: MS_PER_CHAR, chunkMs: 100, speed: 4, firstChunkDelayMs: 20, toneHz: OPENAI_HZ },
    });
    const cache = new TtsCache({ maxBytes: 8 << 20, maxCallBytes: 8 << 20, ttlMs: 60_000 });
    const a = await startRig({ fakes, cache, threshold: 10 });
    const b = await startRig({ fakes, cache, threshold: 10 });
    rigs.push(a, b);
    try {
      const text = 'Thanks for calling Parley today.';
      fakes.elevenlabs.arm({ kind: 'stall', afterChunks: 1 }); // A's request: one chunk, then nothing
      say(a.inner, 'ra', [text]);
      await until('A has its first chunk', () => a.audioOf('ra').length > 0);
      const t0 = Date.now();
      say(b.inner, 'rb', [text]);
      await until('B done', () => doneOf(b, 'rb'));
      // B synthesized on its own, long before A's request times out (1 s).
      expect(Date.now() - t0).toBeLessThan(800);
      expect(doneOf(a, 'ra')).toBe(false);
      expect(Math.abs(msOf(b.audioOf('rb').length) - visible(text) * MS_PER_CHAR)).toBeLessThan(40);
      // Then A's hang ends (timeout → rescue by the fallback) and nothing partial was stored.
      await until('A done', () => doneOf(a, 'ra'), 5000);
      expect(Math.abs(msOf(a.audioOf('ra').length) - visible(text) * MS_PER_CHAR - 100)).toBeLessThan(60);
    } finally {
      await fakes.close();
    }
  });

  it('audio whose completion was only inferred (no alignment, then quiet) is spoken but never stored', async () => {
    const voice = { msPerChar: MS_PER_CHAR, chunkMs: 100, speed: 4, firstChunkDelayMs: 20 };
    const fakes = await startTtsFakes({ elevenlabs: { ...voice, toneHz: EL_HZ, noAlignment: true }, openai: { ...voice, toneHz: OPENAI_HZ } });
    const rig = await startRig({ fakes });
    rigs.push(rig);
    try {
      const text = 'Thanks for calling Parley today.';
      for (const id of ['r1', 'r2']) {
        say(rig.inner, id, [text]);
        await until(`${id} done`, () => doneOf(rig, id), 5000);
      }
      expect(rig.cache.entries).toBe(0);
      expect(fakes.elevenlabs.stats().requests).toBe(2);
      expect(Math.abs(msOf(rig.audioOf('r2').length) - visible(text) * MS_PER_CHAR)).toBeLessThan(40);
    } finally {
      await rig.close();
      rigs.splice(rigs.indexOf(rig), 1);
      await fakes.close();
    }
  });
});
