// Issue 20 part 1: ElevenLabs fails mid-sentence (~120 ms of audio, then an error and close 1011,
// or a cut HTTP body): the sentence is re-said by OpenAI TTS at once — not after the breaker
// opens — so every sentence is heard; the breaker still decides where the next ones go. The
// repeat bound (what the caller hears twice) is measured here: at most the primary's audio of
// the clause it failed in.
import { afterEach, describe, expect, it } from 'vitest';
import { frequency } from './signal.js';
import { EL_HZ, FORMAT, msOf, OPENAI_HZ, say, startRig, until, visible, type Endpoint, type Rig } from './rig.js';

const MS_PER_CHAR = 30;
/** Three sentences, two with a clause boundary within the first 120 ms (3 visible characters). */
const ANSWER = ['Ok, sure, I can help you with that today.', 'Dr. Smith is available on Monday at nine.', 'So, which one works better for you?'];
const PRIMARY_MS = 120;

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Runs of one pitch in the response's audio, in ms (20 ms windows). */
function pitchMs(pcm: Int16Array, hz: number): number {
  const win = (FORMAT.rate * 20) / 1000;
  let n = 0;
  for (let i = 0; i + win <= pcm.length; i += win) {
    const f = frequency(pcm.subarray(i, i + win), FORMAT.rate);
    if (Math.abs(f - hz) < hz * 0.08) n += 1;
  }
  return n * 20;
}

describe.each<Endpoint>(['multi', 'single', 'http'])('a primary failure mid-sentence (%s endpoint)', (endpoint) => {
  it('every sentence is heard in full: the fallback re-says it at once, none lost', async () => {
    rig = await startRig({ endpoint, threshold: 3, msPerChar: MS_PER_CHAR, chunkMs: 40 });
    // Each sentence: three 40 ms chunks (120 ms), then the error and close 1011 (HTTP: body cut).
    rig.fakes.elevenlabs.arm({ kind: endpoint === 'http' ? 'drop' : 'error', code: 'internal_error', afterChunks: 3 }, 'always');
    say(rig.inner, 'r1', ANSWER);
    await until('response_done', () => rig!.events.some((e) => e.type === 'response_done'), 15_000);
    const audio = rig.audioOf('r1');
    const full = ANSWER.map((s) => visible(s) * MS_PER_CHAR);
    const total = full.reduce((a, x) => a + x, 0);
    // OpenAI TTS was asked during the failure, once per sentence.
    expect(rig.fakes.openai.stats().requests).toBe(3);
    expect(rig.sources.map((s) => s.source)).toEqual(['rescued', 'rescued', 'rescued']);
    expect(await rig.metric('parley_tts_sentences_lost_total')).toBe(0);
    expect(await rig.metric('parley_tts_failovers_total')).toBe(3);
    // The third failure opened the breaker: the next sentences go to the fallback.
    expect(rig.breaker.state).toBe('open');
    // Heard: each sentence in full (≥ 95 %), plus at most the primary's 120 ms per sentence again.
    const heard = msOf(audio.length);
    expect(heard).toBeGreaterThanOrEqual(total * 0.95);
    const repeated = heard - total;
    expect(repeated).toBeLessThanOrEqual(3 * PRIMARY_MS + 30);
    expect(pitchMs(audio, EL_HZ)).toBeGreaterThanOrEqual(3 * PRIMARY_MS - 80);
    expect(pitchMs(audio, OPENAI_HZ)).toBeGreaterThanOrEqual(total * 0.95 - 3 * PRIMARY_MS - 80);
    // With alignment (WebSocket endpoints), sentences with a clause boundary restart after it.
    const repeats = rig.rescues.map((r) => r.repeatedMs);
    if (endpoint === 'http') expect(rig.rescues.map((r) => r.restartAt)).toEqual([0, 0, 0]);
    else expect(rig.rescues.map((r) => r.restartAt > 0)).toEqual([true, false, true]);
    for (const r of repeats) expect(r).toBeLessThanOrEqual(PRIMARY_MS + 1);
    console.log(`${endpoint}: heard ${heard.toFixed(0)} ms of ${total} ms; repeated per sentence (ms) ${repeats.map((r) => r.toFixed(0)).join(', ')}`);
  });

  it('both providers failing: each sentence counted lost (both_failed), silence after the primary part', async () => {
    rig = await startRig({ endpoint, threshold: 5, msPerChar: MS_PER_CHAR, chunkMs: 40 });
    rig.fakes.elevenlabs.arm({ kind: endpoint === 'http' ? 'drop' : 'error', code: 'internal_error', afterChunks: 3 }, 'always');
    rig.fakes.openai.arm({ kind: 'error' }, 'always');
    say(rig.inner, 'r1', ANSWER);
    await until('response_done', () => rig!.events.some((e) => e.type === 'response_done'), 15_000);
    expect(await rig.metric('parley_tts_sentences_lost_total', { reason: 'both_failed' })).toBe(3);
    expect(msOf(rig.audioOf('r1').length)).toBeLessThan(3 * PRIMARY_MS + 60);
  });
});

describe('a barge-in is never a failure', () => {
  it('cancelling during the rescue counts the sentence as lost by barge-in, nothing else', async () => {
    rig = await startRig({ threshold: 1, msPerChar: MS_PER_CHAR, chunkMs: 40, speed: 1 });
    rig.fakes.elevenlabs.arm({ kind: 'error', code: 'internal_error', afterChunks: 3 });
    say(rig.inner, 'r1', ANSWER);
    await until('fallback audio', () => rig!.fakes.openai.stats().chunks > 0);
    rig.client.cancelResponse('r1');
    await new Promise((r) => setTimeout(r, 100));
    expect(await rig.metric('parley_tts_sentences_lost_total', { reason: 'barge_in' })).toBe(3);
    expect(await rig.metric('parley_tts_sentences_lost_total', { reason: 'both_failed' })).toBe(0);
    expect(await rig.metric('parley_tts_requests_total', { provider: 'openai', outcome: 'aborted' })).toBe(1);
  });
});
