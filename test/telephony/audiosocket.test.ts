// Asterisk AudioSocket adapter (docs/reference/audiosocket.md): the stream framer, the decoder,
// the encoder, and the unflushable far side it declares.
import { describe, expect, it } from 'vitest';
import { AudioSocketFramer } from '../../src/telephony/audiosocket/framer.js';
import { AudioSocketDecoder } from '../../src/telephony/audiosocket/decoder.js';
import { AudioSocketEncoder } from '../../src/telephony/audiosocket/encoder.js';
import { KIND, message, uuidBytes } from '../../src/telephony/audiosocket/wire.js';
import { UnflushableFarSide } from '../../src/telephony/far-side/unflushable.js';
import { platformById } from '../../src/telephony/registry.js';

const UUID = '40325ec2-5efd-4bd3-805f-53576e581d13';
const uuidMsg = () => message(KIND.uuid, uuidBytes(UUID));
const dec = () => new AudioSocketDecoder({ maxMessageBytes: 65_536 });

describe('AudioSocket framer', () => {
  it('cuts a byte stream into whole messages whatever the segmentation', () => {
    const stream = Buffer.concat([uuidMsg(), message(KIND.slin, Buffer.alloc(320, 7)), message(KIND.dtmf, Buffer.from('5')), message(KIND.hangup)]);
    for (const cut of [1, 2, 3, 5, 19, 100, 341, stream.length]) {
      const f = new AudioSocketFramer(65_536);
      const got: Buffer[] = [];
      for (let at = 0; at < stream.length; at += cut) got.push(...f.push(stream.subarray(at, at + cut)).messages);
      expect(got.map((m) => m[0]), `chunks of ${cut}`).toEqual([KIND.uuid, KIND.slin, KIND.dtmf, KIND.hangup]);
      expect(Buffer.concat(got).equals(stream)).toBe(true);
      expect(f.heldBytes).toBe(0);
    }
  });

  it('skips a message over the bound whole and resumes at the next one', () => {
    const f = new AudioSocketFramer(400);
    const big = message(KIND.slin, Buffer.alloc(1000));
    const a = f.push(Buffer.concat([big.subarray(0, 500)]));
    expect(a.oversize).toEqual([1003]);
    const b = f.push(Buffer.concat([big.subarray(500), message(KIND.dtmf, Buffer.from('1'))]));
    expect(b.messages.map((m) => m[0])).toEqual([KIND.dtmf]);
  });
});

describe('AudioSocket decoder', () => {
  it('UUID starts the call as slin 8 kHz; audio, DTMF and hang-up follow', () => {
    const d = dec();
    const s = d.decode(uuidMsg(), true);
    expect(s).toMatchObject({ ok: true, events: [{ kind: 'start', callId: UUID, format: { codec: 'pcm16', rate: 8000 } }] });
    expect(d.decode(message(KIND.slin, Buffer.alloc(320, 1)), true)).toMatchObject({ ok: true, events: [{ kind: 'media', seq: 1, timestampMs: 0 }] });
    expect(d.decode(message(KIND.slin, Buffer.alloc(320, 1)), true)).toMatchObject({ ok: true, events: [{ kind: 'media', seq: 2, timestampMs: 20 }] });
    expect(d.decode(message(KIND.dtmf, Buffer.from('#')), true)).toMatchObject({ ok: true, events: [{ kind: 'dtmf', digit: '#' }] });
    expect(d.decode(message(KIND.hangup), true)).toMatchObject({ ok: true, events: [{ kind: 'stop', callId: UUID }] });
    expect(d.stopped).toBe(true);
    expect(d.decode(message(KIND.slin, Buffer.alloc(2)), true)).toMatchObject({ ok: false, reason: 'after_stop' });
  });

  it('refuses malformed input with a reason, never throws', () => {
    const d = dec();
    expect(d.decode(message(KIND.slin, Buffer.alloc(320)), true)).toMatchObject({ ok: false, reason: 'media_before_start' });
    expect(d.decode(Buffer.from('{}'), false)).toMatchObject({ ok: false, reason: 'text_not_allowed' });
    expect(d.decode(Buffer.from([0x10, 0]), true)).toMatchObject({ ok: false, reason: 'bad_frame' });
    expect(d.decode(Buffer.from([0x10, 0, 5, 1]), true)).toMatchObject({ ok: false, reason: 'bad_frame' });
    expect(d.decode(message(KIND.uuid, Buffer.alloc(15)), true)).toMatchObject({ ok: false, reason: 'wrong_type' });
    d.decode(uuidMsg(), true);
    expect(d.decode(uuidMsg(), true)).toMatchObject({ ok: false, reason: 'duplicate_start' });
    expect(d.decode(message(KIND.slin, Buffer.alloc(3)), true)).toMatchObject({ ok: false, reason: 'odd_length_pcm' });
    expect(d.decode(message(KIND.slin), true)).toMatchObject({ ok: false, reason: 'empty_audio' });
    expect(d.decode(message(0x12, Buffer.alloc(640)), true)).toMatchObject({ ok: false, reason: 'unsupported_format' });
    expect(d.decode(message(0x42, Buffer.alloc(1)), true)).toMatchObject({ ok: false, reason: 'unknown_message' });
    expect(d.decode(message(KIND.dtmf, Buffer.from('x')), true)).toMatchObject({ ok: false, reason: 'wrong_type' });
    expect(d.stopped).toBe(false);
  });

  it('an error message ends the call like a hang-up', () => {
    const d = dec();
    d.decode(uuidMsg(), true);
    expect(d.decode(message(KIND.error, Buffer.from([0x02])), true)).toMatchObject({ ok: true, events: [{ kind: 'stop' }] });
  });
});

describe('AudioSocket encoder', () => {
  it('slin messages out; nothing to clear; hang-up as the goodbye', () => {
    const e = new AudioSocketEncoder();
    const [m] = e.audio(Buffer.alloc(320, 3));
    expect(Buffer.isBuffer(m)).toBe(true);
    expect((m as Buffer).subarray(0, 3)).toEqual(Buffer.from([0x10, 0x01, 0x40]));
    expect(e.clear()).toEqual([]);
    expect(e.goodbye()).toEqual([Buffer.from([0, 0, 0])]);
  });

  it('is registered as a tcp platform with an unflushable far side', () => {
    expect(platformById('audiosocket')).toMatchObject({ transport: 'tcp', farSide: 'unflushable', closeIsHangup: true });
  });
});

describe('unflushable far side', () => {
  it('plays at real time from the first chunk: heard = delivered − what is queued', () => {
    const f = new UnflushableFarSide();
    f.onSent({ epoch: 0, item: 1, durationMs: 20 }, 0);
    f.onSent({ epoch: 0, item: 1, durationMs: 20 }, 0); // two frames ahead at t=0: lead 40 ms
    expect(f.queuedMs(0)).toBe(40);
    expect(f.heardMs(1, 10)).toBe(10);
    expect(f.heardMs(1, 30)).toBe(30);
    expect(f.heardMs(1, 100)).toBe(40);
    expect(f.maxLeadMs).toBe(20);
  });

  it('a clear recalls nothing: what was queued still plays, counted as the floor', () => {
    const f = new UnflushableFarSide();
    for (let i = 0; i < 3; i++) f.onSent({ epoch: 0, item: 1, durationMs: 20 }, 0);
    f.onClear(10);
    expect(f.unflushedMs).toBe(50);
    expect(f.heardMs(1, 60)).toBe(60);
  });

  it('a far side that ran dry starts the next chunk when it arrives (no credit for silence)', () => {
    const f = new UnflushableFarSide();
    f.onSent({ epoch: 0, item: 1, durationMs: 20 }, 0);
    f.onSent({ epoch: 0, item: 2, durationMs: 20 }, 100);
    expect(f.heardMs(2, 110)).toBe(10);
    expect(f.queuedMs(110)).toBe(10);
    expect(f.sentMs(2)).toBe(20);
  });
});
