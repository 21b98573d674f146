// The marked voice and the caller's ear for it (issue 20's realtime-delivery bench): the caller
// must read back exactly what was said through a telephone path (16 kHz → 8 kHz, µ-law, any
// frame alignment), and must count a chunk heard twice, chunks swapped and a chunk lost.
import { describe, expect, it } from 'vitest';
import { markedSpeech, markSequence } from '../../../src/tools/sim/audio/marks.js';
import { mulawDecode, mulawEncode } from '../../../src/tools/sim/audio/g711.js';
import { resampleLinear } from '../../../src/tools/sim/audio/pcm.js';
import { MarkListener } from '../../../src/tools/sim/caller/mark-listener.js';

const REPLIES = [
  ['Thanks for calling Parley, caller 12.', 'How can I help you today?'],
  ['Sure, I can help with that.', 'Which one works better for you?'],
];
const FRAME = 160;

/** The answer as the caller hears it: 16 kHz speech → 8 kHz µ-law, cut into frames after `offset` samples of silence. */
function heard(pcm16k: Int16Array, offset: number): Int16Array[] {
  const narrow = mulawDecode(mulawEncode(resampleLinear(pcm16k, 16000, 8000)));
  const all = new Int16Array(offset + narrow.length);
  all.set(narrow, offset);
  const frames: Int16Array[] = [];
  for (let i = 0; i + FRAME <= all.length; i += FRAME) frames.push(all.subarray(i, i + FRAME));
  return frames;
}

function listen(answers: readonly { pcm: Int16Array; barged?: boolean }[], offset = 0) {
  const ear = new MarkListener(REPLIES);
  for (const a of answers) {
    ear.turnEnded();
    if (a.barged) ear.barged();
    for (const f of heard(a.pcm, offset)) ear.frame(f, FRAME);
  }
  return ear.report();
}

const speak = (text: string) => markedSpeech(text, 16000, 60);
const cat = (...xs: Int16Array[]) => {
  const out = new Int16Array(xs.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of xs) (out.set(x, o), (o += x.length));
  return out;
};

describe('marked speech', () => {
  it.each([0, 37, 80, 121])('is read back exactly at any frame alignment (offset %i)', (offset) => {
    const r = listen([{ pcm: speak(REPLIES[0]!.join(' ')) }, { pcm: speak(REPLIES[1]!.join(' ')) }], offset);
    expect(r).toMatchObject({ answers: 2, silent: 0, duplicates: 0, reorderings: 0, missing: 0 });
  });

  it('a digit is a digit: the call number does not matter', () => {
    expect(markSequence('caller 7.')).toEqual(markSequence('caller 12.'));
  });

  it('a cut answer (barge-in) is a prefix, not a loss', () => {
    const pcm = speak(REPLIES[1]!.join(' '));
    expect(listen([{ pcm: pcm.subarray(0, 16000), barged: true }])).toMatchObject({ duplicates: 0, reorderings: 0, missing: 0 });
  });

  it('counts a chunk heard twice, chunks swapped and a chunk lost', () => {
    const pcm = speak(REPLIES[0]!.join(' '));
    const chunk = 3200; // 200 ms
    const [a, b, c, rest] = [pcm.subarray(0, chunk), pcm.subarray(chunk, 2 * chunk), pcm.subarray(2 * chunk, 3 * chunk), pcm.subarray(3 * chunk)];
    const dup = listen([{ pcm: cat(a, b, b, c, rest) }]);
    expect(dup.duplicates).toBeGreaterThan(0);
    const swapped = listen([{ pcm: cat(a, c, b, rest) }]);
    expect(swapped.duplicates + swapped.reorderings).toBeGreaterThan(0);
    const lost = listen([{ pcm: cat(a, c, rest) }]);
    expect(lost.missing).toBeGreaterThan(0);
    expect(lost.duplicates + lost.reorderings).toBe(0);
  });
});
