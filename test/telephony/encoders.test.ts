import { describe, expect, it } from 'vitest';
import { TwilioEncoder } from '../../src/telephony/twilio/encoder.js';
import { AudioStreamEncoder } from '../../src/telephony/audio-stream/encoder.js';
import { TwilioDecoder } from '../../src/telephony/twilio/decoder.js';
import { bytesToMs, createEncoder, msToBytes, protocolForPath } from '../../src/telephony/index.js';

describe('Twilio encoder', () => {
  const enc = new TwilioEncoder('MZ1');
  it('sends media then a mark for the chunk', () => {
    const frames = enc.audio(Buffer.from([0xff, 0x7f, 0x00]), '3.1.7').map((f) => JSON.parse(f) as unknown);
    expect(frames).toEqual([
      { event: 'media', streamSid: 'MZ1', media: { payload: Buffer.from([0xff, 0x7f, 0x00]).toString('base64') } },
      { event: 'mark', streamSid: 'MZ1', mark: { name: '3.1.7' } },
    ]);
  });
  it('sends media alone without a mark, and clear with the streamSid', () => {
    expect(enc.audio(Buffer.alloc(160))).toHaveLength(1);
    expect(enc.clear().map((f) => JSON.parse(f) as unknown)).toEqual([{ event: 'clear', streamSid: 'MZ1' }]);
  });
  it('produces payloads our own decoder accepts (round trip through a media message)', () => {
    const dec = new TwilioDecoder({ maxMessageBytes: 1 << 16 });
    dec.decode(
      Buffer.from(JSON.stringify({ event: 'start', streamSid: 'MZ1', start: { callSid: 'CA1', mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } })),
      false,
    );
    const audio = Buffer.from(Array.from({ length: 160 }, (_, i) => i));
    const out = JSON.parse(enc.audio(audio)[0]!) as { media: { payload: string } };
    const r = dec.decode(Buffer.from(JSON.stringify({ event: 'media', streamSid: 'MZ1', media: { payload: out.media.payload } })), false);
    expect(r.ok && r.events[0]?.kind === 'media' && r.events[0].payload.equals(audio)).toBe(true);
  });
});

describe('mod_audio_stream encoder', () => {
  it('sends streamAudio with base64 PCM16LE at the call rate, mono', () => {
    const enc = new AudioStreamEncoder(16000);
    const pcm = Buffer.from([1, 0, 255, 255]);
    expect(JSON.parse(enc.audio(pcm)[0]!)).toEqual({
      type: 'streamAudio',
      data: { audioDataType: 'raw', audioData: pcm.toString('base64'), sampleRate: 16000, channels: 1 },
    });
  });
  it('clears exactly as the module expects: clear true with empty audio', () => {
    expect(JSON.parse(new AudioStreamEncoder(8000).clear()[0]!)).toEqual({
      type: 'streamAudio',
      data: { audioDataType: 'raw', audioData: '', sampleRate: 8000, channels: 1, clear: true },
    });
  });
  it('is chosen by protocol with the start event', () => {
    const start = { kind: 'start', callId: 'c', streamId: 'c', format: { codec: 'pcm16', rate: 16000 }, customParameters: {}, implicit: false } as const;
    expect(JSON.parse(String(createEncoder('audio-stream', start).audio(Buffer.alloc(2))[0]))).toMatchObject({ data: { sampleRate: 16000 } });
    expect(JSON.parse(String(createEncoder('twilio', start).clear()[0]))).toEqual({ event: 'clear', streamSid: 'c' });
  });
});

describe('helpers', () => {
  it('maps paths and byte durations', () => {
    expect(protocolForPath('/twilio')).toBe('twilio');
    expect(protocolForPath('/audio-stream')).toBe('audio-stream');
    expect(protocolForPath('/other')).toBeUndefined();
    expect(bytesToMs({ codec: 'mulaw', rate: 8000 }, 160)).toBe(20);
    expect(bytesToMs({ codec: 'pcm16', rate: 16000 }, 640)).toBe(20);
    expect(bytesToMs({ codec: 'pcm16', rate: 24000 }, 960)).toBe(20);
    expect(msToBytes({ codec: 'pcm16', rate: 8000 }, 20)).toBe(320);
  });
});
