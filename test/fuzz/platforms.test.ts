// Bounded slice of the platform decoders' fuzzing (the bench runs ≥ 10^6 inputs each:
// `npm run bench -- fuzz --only telnyx,plivo,exotel,asterisk`): valid, mutated, truncated and
// hostile frames must be accepted by the platform's rules or refused with a known reason.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asteriskTarget, exotelTarget, plivoTarget, telnyxTarget } from '../../bench/_fuzz-platforms.js';
import { Tally, type FuzzTarget } from '../../bench/_fuzz-target.js';

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

describe.concurrent('platform decoder fuzzing (bounded slice)', () => {
  it('telnyx', () => {
    const t = fuzz(telnyxTarget);
    for (const k of ['start', 'media', 'mark', 'dtmf', 'stop', 'text']) expect(t.by('accepted')[k], k).toBeGreaterThan(0);
    for (const r of ['bad_json', 'not_object', 'bad_base64', 'binary_not_allowed', 'wrong_type', 'missing_field', 'oversize', 'unknown_event', 'after_stop', 'unsupported_format']) {
      expect(t.by('rejected')[r], r).toBeGreaterThan(0);
    }
  });

  it('plivo', () => {
    const t = fuzz(plivoTarget);
    for (const k of ['start', 'media', 'mark', 'dtmf', 'text']) expect(t.by('accepted')[k], k).toBeGreaterThan(0);
    for (const r of ['bad_json', 'bad_base64', 'binary_not_allowed', 'wrong_type', 'missing_field', 'oversize', 'unsupported_format', 'duplicate_start']) {
      expect(t.by('rejected')[r], r).toBeGreaterThan(0);
    }
  });

  it('exotel', () => {
    const t = fuzz(exotelTarget);
    for (const k of ['start', 'media', 'mark', 'dtmf', 'stop']) expect(t.by('accepted')[k], k).toBeGreaterThan(0);
    for (const r of ['bad_json', 'bad_base64', 'odd_length_pcm', 'binary_not_allowed', 'wrong_type', 'oversize', 'unsupported_format']) {
      expect(t.by('rejected')[r], r).toBeGreaterThan(0);
    }
  });

  it('asterisk', () => {
    const t = fuzz(asteriskTarget);
    for (const k of ['start', 'media', 'mark', 'dtmf', 'text']) expect(t.by('accepted')[k], k).toBeGreaterThan(0);
    for (const r of ['unknown_event', 'unsupported_format', 'media_before_start', 'odd_length_pcm', 'oversize', 'missing_field', 'duplicate_start']) {
      expect(t.by('rejected')[r], r).toBeGreaterThan(0);
    }
  });
});
