// Bounded slice of the protocol fuzzing (the bench runs ≥ 10^6 inputs per protocol): every
// parser and decoder at Parley's edge gets grammar-aware hostile input — valid, mutated-valid,
// truncated, wrong types, JSON literals, huge strings, deep nesting, bad base64, odd-length
// PCM — and must answer by the protocol's rules without throwing (bench/_fuzz-*.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audioStreamTarget, twilioTarget } from '../../bench/_fuzz-telephony.js';
import { elevenLabsTarget, openaiTarget } from '../../bench/_fuzz-ai.js';
import { configTarget } from '../../bench/_fuzz-config.js';
import { Tally, type FuzzTarget } from '../../bench/_fuzz-target.js';

const RUNS: Record<string, number> = { twilio: 3000, 'audio-stream': 3000, openai: 3000, elevenlabs: 3000, config: 600 };

function fuzz<I>(target: FuzzTarget<I>): Tally {
  const tally = new Tally();
  fc.assert(
    fc.property(target.arbitrary, (input) => {
      tally.add(target.run(input));
    }),
    { numRuns: RUNS[target.protocol] ?? 1000, seed: Number(process.env.PARLEY_FUZZ_SEED ?? 20251125) },
  );
  return tally;
}

describe.concurrent('protocol fuzzing (bounded slice)', () => {
  it('twilio: every frame is accepted by the rules or rejected with a known reason', () => {
    const t = fuzz(twilioTarget);
    // The generators reach every branch that matters: valid events and each kind of refusal.
    for (const k of ['start', 'media', 'mark', 'stop']) expect(t.by('accepted')[k]).toBeGreaterThan(0);
    for (const r of ['bad_json', 'not_object', 'bad_base64', 'binary_not_allowed', 'wrong_type', 'missing_field', 'oversize', 'unknown_event', 'after_stop']) {
      expect(t.by('rejected')[r], r).toBeGreaterThan(0);
    }
  });

  it('audio-stream: metadata, PCM16 and text frames follow the module protocol', () => {
    const t = fuzz(audioStreamTarget);
    for (const k of ['start', 'media', 'text']) expect(t.by('accepted')[k]).toBeGreaterThan(0);
    for (const r of ['odd_length_pcm', 'empty_audio', 'oversize', 'bad_json', 'not_object', 'wrong_type', 'unsupported_format']) {
      expect(t.by('rejected')[r], r).toBeGreaterThan(0);
    }
  });

  it('openai: well-formed events parse, the rest is ignored with a reason', () => {
    const t = fuzz(openaiTarget);
    for (const k of ['audio_delta', 'speech_started', 'response_done', 'error']) expect(t.by('accepted')[k]).toBeGreaterThan(0);
    for (const r of ['bad_json', 'bad_shape', 'unknown_type']) expect(t.by('ignored')[r], r).toBeGreaterThan(0);
  });

  it('elevenlabs: audio, final and error messages parse, the rest is ignored with a reason', () => {
    const t = fuzz(elevenLabsTarget);
    for (const k of ['audio', 'final', 'error']) expect(t.by('accepted')[k]).toBeGreaterThan(0);
    for (const r of ['bad_json', 'bad_shape', 'bad_audio']) expect(t.by('ignored')[r], r).toBeGreaterThan(0);
  });

  it('config: a valid configuration or a ConfigError, secrets never echoed', () => {
    const t = fuzz(configTarget);
    expect(t.by('accepted')['config']).toBeGreaterThan(0);
    expect(t.by('rejected')['config_error']).toBeGreaterThan(0);
  });
});
