// Asterisk AudioSocket messages → typed events (docs/reference/audiosocket.md). Each call gets
// one whole message at a time (framer.ts cuts the TCP stream). The UUID message starts the call
// (slin 8 kHz is the only format the AudioSocket application sends); audio, DTMF, hang-up and
// error follow. An error message ends the call like a hang-up: Asterisk sends it when it cannot
// go on (its codes: 0x01 hang-up, 0x02 frame forwarding, 0x04 memory).
import type { CallStart, DecodeResult, DecoderOptions, InboundDecoder, RawFrame } from '../types.js';
import { frameBuffer, frameLength, reject } from '../frames.js';
import { HEADER_BYTES, KIND, SLIN_HIGHER, uuidText } from './wire.js';

const DTMF = /^[0-9*#A-D]$/;

export class AudioSocketDecoder implements InboundDecoder {
  readonly protocol = 'audiosocket' as const;
  start: CallStart | undefined;
  stopped = false;
  private frames = 0;
  private bytes = 0;

  constructor(private readonly options: DecoderOptions) {}

  decode(data: RawFrame, isBinary: boolean): DecodeResult {
    const size = frameLength(data);
    if (size > this.options.maxMessageBytes) return reject('oversize', `message of ${size} B exceeds ${this.options.maxMessageBytes} B`);
    if (!isBinary) return reject('text_not_allowed', 'AudioSocket is binary only');
    const msg = frameBuffer(data);
    if (msg.length < HEADER_BYTES) return reject('bad_frame', `message of ${msg.length} B is shorter than the 3-byte header`);
    const kind = msg.readUInt8(0);
    const length = msg.readUInt16BE(1);
    if (msg.length !== HEADER_BYTES + length) return reject('bad_frame', `header says ${length} B of payload, message has ${msg.length - HEADER_BYTES}`);
    if (this.stopped) return reject('after_stop', 'message after hang-up');
    const payload = msg.subarray(HEADER_BYTES);
    switch (kind) {
      case KIND.uuid:
        return this.uuid(payload);
      case KIND.slin:
        return this.audio(payload);
      case KIND.dtmf: {
        if (!this.start) return reject('event_before_start', 'DTMF before the UUID');
        const digit = payload.toString('latin1');
        if (!DTMF.test(digit)) return reject('wrong_type', 'DTMF payload must be one digit 0-9 * # A-D');
        return { ok: true, events: [{ kind: 'dtmf', digit }] };
      }
      case KIND.hangup:
      case KIND.error:
        if (!this.start) return reject('event_before_start', `${kind === KIND.hangup ? 'hang-up' : 'error'} before the UUID`);
        this.stopped = true;
        return { ok: true, events: [{ kind: 'stop', callId: this.start.callId }] };
      default:
        if (SLIN_HIGHER.has(kind)) return reject('unsupported_format', `slin kind 0x${kind.toString(16)} (above 8 kHz) is not supported; use the AudioSocket application (slin 8 kHz)`);
        return reject('unknown_message', `unknown message kind 0x${kind.toString(16)}`);
    }
  }

  private uuid(payload: Buffer): DecodeResult {
    if (this.start) return reject('duplicate_start', 'a second UUID on the same connection');
    if (payload.length !== 16) return reject('wrong_type', `UUID payload must be 16 bytes, got ${payload.length}`);
    const id = uuidText(payload);
    this.start = {
      kind: 'start',
      callId: id,
      streamId: id,
      format: { codec: 'pcm16', rate: 8000 },
      customParameters: {},
      implicit: false,
    };
    return { ok: true, events: [this.start] };
  }

  private audio(payload: Buffer): DecodeResult {
    if (!this.start) return reject('media_before_start', 'audio before the UUID');
    if (payload.length === 0) return reject('empty_audio', 'zero-length audio');
    if (payload.length % 2 !== 0) return reject('odd_length_pcm', `slin payload of ${payload.length} B is not whole samples`);
    this.frames += 1;
    const timestampMs = (this.bytes / 16000) * 1000;
    this.bytes += payload.length;
    return { ok: true, events: [{ kind: 'media', payload, seq: this.frames, timestampMs }] };
  }
}
