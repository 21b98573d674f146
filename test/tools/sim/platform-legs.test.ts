// The simulated platforms against Parley's own encoders: every frame an encoder produces is
// read by that platform's emulator as audio, a report request or a clear (the e2e suite then
// sees no protocol errors); the emulators refuse what the real platform would; and each far
// end treats pending reports on clear as its platform does.
import { describe, expect, it } from 'vitest';
import { AsteriskEncoder } from '../../../src/telephony/asterisk/encoder.js';
import { ExotelEncoder } from '../../../src/telephony/exotel/encoder.js';
import { PlivoEncoder } from '../../../src/telephony/plivo/encoder.js';
import { TelnyxEncoder } from '../../../src/telephony/telnyx/encoder.js';
import type { CallStart, OutboundEncoder } from '../../../src/telephony/types.js';
import { TwilioFarEnd } from '../../../src/tools/sim/caller/far-end.js';
import { createLeg } from '../../../src/tools/sim/caller/leg-factory.js';
import type { Leg } from '../../../src/tools/sim/caller/legs.js';
import { synthClip } from '../../../src/tools/sim/caller/voice-source.js';

const kinds = (leg: Leg, frames: readonly (string | Buffer)[]) => frames.map((f) => leg.parse(f, typeof f !== 'string', true).kind);

function roundTrip(leg: Leg, enc: OutboundEncoder, frameBytes: number) {
  expect(kinds(leg, enc.audio(Buffer.alloc(frameBytes, 0x55), '1.2.3'))).toEqual(['audio', 'mark']);
  expect(kinds(leg, enc.clear())).toEqual(['clear']);
  const [audio] = enc.audio(Buffer.alloc(frameBytes, 0x55)).map((f) => leg.parse(f, typeof f !== 'string', true));
  expect(audio).toMatchObject({ kind: 'audio', samples: leg.sampleRate / 50 });
}

const startOf = (leg: Leg): CallStart => {
  const l = leg as unknown as { streamId?: string; streamSid?: string };
  return { kind: 'start', callId: 'c', streamId: l.streamId ?? l.streamSid ?? '', format: { codec: 'mulaw', rate: 8000 }, customParameters: {}, implicit: false };
};

describe('platform emulators read what Parley sends', () => {
  it('telnyx, PCMU and L16 16 kHz (network byte order round-trips)', () => {
    roundTrip(createLeg('telnyx', { url: 'ws://x/telnyx' }, 'a'), new TelnyxEncoder({ codec: 'mulaw', rate: 8000 }), 160);
    const wide = createLeg('telnyx', { url: 'ws://x/telnyx', sampleRate: 16000 }, 'b');
    roundTrip(wide, new TelnyxEncoder({ codec: 'pcm16', rate: 16000 }), 640);
    const samples = new Int16Array(320);
    samples.set([1000, -2000, 3000, -4000]);
    const got = wide.parse(new TelnyxEncoder({ codec: 'pcm16', rate: 16000 }).audio(Buffer.from(samples.buffer))[0]!, false, true);
    expect(got.kind === 'audio' ? [...got.pcm!.subarray(0, 4)] : got).toEqual([1000, -2000, 3000, -4000]);
    // Under 20 ms is less than Telnyx takes.
    expect(wide.parse(new TelnyxEncoder({ codec: 'pcm16', rate: 16000 }).audio(Buffer.alloc(8))[0]!, false, false).kind).toBe('error');
  });

  it('plivo, with the stream format checked on every playAudio', () => {
    const leg = createLeg('plivo', { url: 'ws://x/plivo', sampleRate: 16000 }, 'p');
    const streamId = (leg as unknown as { streamId: string }).streamId;
    roundTrip(leg, new PlivoEncoder(streamId, { codec: 'pcm16', rate: 16000 }), 640);
    expect(leg.parse(new PlivoEncoder(streamId, { codec: 'mulaw', rate: 8000 }).audio(Buffer.alloc(160))[0]!, false, false).kind).toBe('error');
    expect(leg.parse(new PlivoEncoder('another', { codec: 'pcm16', rate: 16000 }).clear()[0]!, false, false).kind).toBe('error');
    expect(leg.cleared?.().map((f) => JSON.parse(String(f.data)).event)).toEqual(['clearedAudio']);
  });

  it('exotel, refusing chunks that are not a multiple of 320 bytes', () => {
    const leg = createLeg('exotel', { url: 'ws://x/exotel' }, 'e');
    const enc = new ExotelEncoder((leg as unknown as { streamSid: string }).streamSid);
    roundTrip(leg, enc, 320);
    expect(leg.parse(enc.audio(Buffer.alloc(300))[0]!, false, false)).toMatchObject({ kind: 'error', detail: expect.stringContaining('320') });
  });

  it('asterisk, refusing partial frames and long TEXT, hanging up on HANGUP', () => {
    const leg = createLeg('asterisk', { url: 'ws://x/asterisk', codec: 'alaw' }, 'ast');
    const enc = new AsteriskEncoder({ ...startOf(leg), metadata: { controlFormat: 'plain-text' } });
    roundTrip(leg, enc, 160);
    expect(leg.parse(Buffer.alloc(100), true, false).kind).toBe('error');
    expect(leg.parse(`MARK_MEDIA ${'x'.repeat(200)}`, false, false).kind).toBe('error');
    expect(kinds(leg, enc.goodbye())).toEqual(['hangup']);
  });

  it('every leg speaks first and sends audio the platform way', () => {
    for (const p of ['telnyx', 'plivo', 'exotel', 'asterisk']) {
      const leg = createLeg(p, { url: `ws://x/${p}` }, 'g');
      expect(leg.greeting().length, p).toBeGreaterThan(0);
      const f = leg.audio(synthClip(leg.sampleRate, 1), 0);
      expect(f.binary, p).toBe(p === 'asterisk');
    }
  });
});

describe('far ends on clear', () => {
  it('Telnyx and Exotel return pending marks unplayed; Plivo and chan_websocket drop them', () => {
    for (const [returns, expected] of [[true, ['m1', 'm2']], [false, []]] as const) {
      const far = new TwilioFarEnd(160, false, returns);
      far.pushAudio(160);
      far.pushMark('m1');
      far.pushAudio(160);
      far.pushMark('m2');
      expect(far.clear()).toEqual(expected);
      expect(far.queuedSamples).toBe(0);
      expect(far.tick().echoes).toEqual([]);
    }
    expect(createLeg('plivo', { url: 'ws://x/plivo' }, 'a').marksReturnOnClear).toBe(false);
    expect(createLeg('asterisk', { url: 'ws://x/asterisk' }, 'a').marksReturnOnClear).toBe(false);
    expect(createLeg('telnyx', { url: 'ws://x/telnyx' }, 'a').marksReturnOnClear ?? true).toBe(true);
  });
});
