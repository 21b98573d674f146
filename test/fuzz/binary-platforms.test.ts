// Bounded slice of the AudioSocket and Vonage decoder fuzzing (the bench runs ≥ 10^6 inputs
// each: `npm run bench -- fuzz`); bench/_fuzz-binary-platforms.ts holds the generators and rules.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audiosocketTarget, vonageTarget } from '../../bench/_fuzz-binary-platforms.js';
import { Tally, type FuzzTarget } from '../../bench/_fuzz-target.js';

function fuzz<I>(target: FuzzTarget<I>, numRuns: number): Tally {
  const tally = new Tally();
  fc.assert(
    fc.property(target.arbitrary, (input) => {
      tally.add(target.run(input));
    }),
    { numRuns, seed: Number(process.env.PARLEY_FUZZ_SEED ?? 20261206) },
  );
  return tally;
}

describe.concurrent('platform decoder fuzzing (bounded slice)', () => {
  it('audiosocket: a cut byte stream reassembles; every message is accepted by the rules or refused with a reason', () => {
    const t = fuzz(audiosocketTarget, 2000);
    for (const k of ['start', 'media', 'dtmf', 'stop']) expect(t.by('accepted')[k], k).toBeGreaterThan(0);
    for (const r of ['oversize', 'odd_length_pcm', 'unknown_message', 'media_before_start', 'duplicate_start', 'after_stop', 'wrong_type']) expect(t.by('rejected')[r], r).toBeGreaterThan(0);
  });

  it('vonage: connected first, L16 binary and text events by the rules', () => {
    const t = fuzz(vonageTarget, 2000);
    for (const k of ['start', 'media', 'mark', 'dtmf', 'text']) expect(t.by('accepted')[k], k).toBeGreaterThan(0);
    for (const r of ['bad_json', 'not_object', 'odd_length_pcm', 'unsupported_format', 'media_before_start', 'duplicate_start', 'unknown_event', 'wrong_type']) expect(t.by('rejected')[r], r).toBeGreaterThan(0);
  });
});
