// Bounded slice of the platform decoders' fuzzing (the bench runs ≥ 10^6 inputs each:
// `npm run bench -- fuzz --only telnyx,plivo,exotel,asterisk`): valid, mutated, truncated and
// hostile frames must be accepted by the platform's rules or refused with a known reason. One
// line a platform: which events its generators must reach, and which refusals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asteriskTarget, exotelTarget, plivoTarget, signalwireTarget, telnyxTarget } from '../../bench/_fuzz-platforms.js';
import { Tally, type FuzzTarget } from '../../bench/_fuzz-target.js';
import type { WireFrame } from '../../bench/_fuzz-telephony.js';

function fuzz<I>(target: FuzzTarget<I>, numRuns = 1000): Tally {
  const tally = new Tally();
  fc.assert(
    fc.property(target.arbitrary, (input) => {
      tally.add(target.run(input));
    }),
    { numRuns, seed: Number(process.env.PARLEY_FUZZ_SEED ?? 20261206) },
  );
  return tally;
}

interface Slice {
  readonly target: FuzzTarget<WireFrame[]>;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
}

const SLICES: readonly Slice[] = [
  { target: telnyxTarget, accepted: ['start', 'media', 'mark', 'dtmf', 'stop', 'text'], rejected: ['bad_json', 'not_object', 'bad_base64', 'binary_not_allowed', 'wrong_type', 'missing_field', 'oversize', 'unknown_event', 'after_stop', 'unsupported_format'] },
  { target: plivoTarget, accepted: ['start', 'media', 'mark', 'dtmf', 'text'], rejected: ['bad_json', 'bad_base64', 'binary_not_allowed', 'wrong_type', 'missing_field', 'oversize', 'unsupported_format', 'duplicate_start'] },
  { target: exotelTarget, accepted: ['start', 'media', 'mark', 'dtmf', 'stop'], rejected: ['bad_json', 'bad_base64', 'odd_length_pcm', 'binary_not_allowed', 'wrong_type', 'oversize', 'unsupported_format'] },
  { target: asteriskTarget, accepted: ['start', 'media', 'mark', 'dtmf', 'text'], rejected: ['unknown_event', 'unsupported_format', 'media_before_start', 'odd_length_pcm', 'oversize', 'missing_field', 'duplicate_start'] },
  { target: signalwireTarget, accepted: ['connected', 'start', 'media', 'mark', 'dtmf', 'stop'], rejected: ['bad_json', 'not_object', 'bad_base64', 'binary_not_allowed', 'wrong_type', 'missing_field', 'oversize', 'unknown_event', 'after_stop', 'unsupported_format', 'stream_mismatch'] },
];

describe.concurrent('platform decoder fuzzing (bounded slice)', () => {
  for (const s of SLICES) {
    it(s.target.protocol, () => {
      const t = fuzz(s.target);
      for (const k of s.accepted) expect(t.by('accepted')[k], k).toBeGreaterThan(0);
      for (const r of s.rejected) expect(t.by('rejected')[r], r).toBeGreaterThan(0);
    });
  }
});
