import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioStreamDecoder } from '../../src/telephony/audio-stream/decoder.js';
import type { DecodeResult, InboundEvent } from '../../src/telephony/types.js';
import { startLoopback, type Loopback } from './loopback.js';

function events(r: DecodeResult): readonly InboundEvent[] {
  if (!r.ok) throw new Error(`rejected: ${r.reason} ${r.detail}`);
  return r.events;
}
const reason = (r: DecodeResult): string => (r.ok ? 'ok' : r.reason);
const pcm = (bytes: number) => Buffer.alloc(bytes, 1);

describe('mod_audio_stream decoder over a real WebSocket', () => {
  let lb: Loopback;
  beforeAll(async () => {
    lb = await startLoopback();
  });
  afterAll(() => lb.close());
  const fresh = (defaultSampleRate?: 8000 | 16000) =>
    lb.session(new AudioStreamDecoder({ maxMessageBytes: 8192, ...(defaultSampleRate ? { defaultSampleRate } : {}) }));

  it('turns the metadata frame into a start with per-call config, then binary PCM into media', async () => {
    const s = await fresh();
    const [st] = events(await s.send(JSON.stringify({ callId: 'fs-1', sampleRate: 16000, voice: 'marin', vip: true, n: 3, nested: { x: 1 } }), false));
    expect(st).toMatchObject({
      kind: 'start',
      callId: 'fs-1',
      streamId: 'fs-1',
      format: { codec: 'pcm16', rate: 16000 },
      customParameters: { voice: 'marin', vip: 'true', n: '3' },
      implicit: false,
    });
    const first = events(await s.send(pcm(640)));
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ kind: 'media', seq: 1, timestampMs: 0 });
    expect(events(await s.send(pcm(640)))[0]).toMatchObject({ kind: 'media', seq: 2, timestampMs: 20 });
    // send_text after the start is passed on as text, parsed when it is JSON
    expect(events(await s.send('{"reason":"hangup"}', false))).toEqual([{ kind: 'text', text: '{"reason":"hangup"}', json: { reason: 'hangup' } }]);
    expect(events(await s.send('plain words', false))).toEqual([{ kind: 'text', text: 'plain words' }]);
    s.close();
  });

  it('starts implicitly with the default rate when audio comes first (metadata is optional)', async () => {
    const s = await fresh(16000);
    const evs = events(await s.send(pcm(640)));
    expect(evs.map((e) => e.kind)).toEqual(['start', 'media']);
    expect(evs[0]).toMatchObject({ kind: 'start', implicit: true, format: { codec: 'pcm16', rate: 16000 }, customParameters: {} });
    s.close();
  });

  it('accepts uuid and call_id as the call id', async () => {
    const s = await fresh();
    expect(events(await s.send(JSON.stringify({ uuid: 'u-9' }), false))[0]).toMatchObject({ callId: 'u-9', format: { rate: 8000 } });
    s.close();
  });

  const malformed: [string, string | Buffer, string][] = [
    ['bad JSON metadata', '{"callId":', 'bad_json'],
    ['non-object metadata', '"hello"', 'not_object'],
    ['sampleRate of wrong type', JSON.stringify({ sampleRate: '16k' }), 'wrong_type'],
    ['unsupported sampleRate', JSON.stringify({ sampleRate: 44100 }), 'unsupported_format'],
    ['stereo', JSON.stringify({ channels: 2 }), 'unsupported_format'],
    ['empty callId', JSON.stringify({ callId: '' }), 'wrong_type'],
    ['odd-length PCM', pcm(321), 'odd_length_pcm'],
    ['an empty binary frame', Buffer.alloc(0), 'empty_audio'],
    ['an oversize frame', pcm(9000), 'oversize'],
  ];
  for (const [what, frame, want] of malformed) {
    it(`rejects ${what} as ${want}; the stream can still start`, async () => {
      const s = await fresh();
      expect(reason(await s.send(frame, Buffer.isBuffer(frame)))).toBe(want);
      const after = events(await s.send(pcm(320)));
      expect(after.map((e) => e.kind)).toEqual(['start', 'media']);
      s.close();
    });
  }

  it('rejects odd-length and oversize audio after the start too', async () => {
    const s = await fresh();
    events(await s.send('{}', false));
    expect(reason(await s.send(pcm(3)))).toBe('odd_length_pcm');
    expect(reason(await s.send(pcm(8194)))).toBe('oversize');
    expect(reason(await s.send(pcm(320)))).toBe('ok');
    s.close();
  });
});
