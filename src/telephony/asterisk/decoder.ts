// Asterisk chan_websocket inbound frames → typed events
// (docs/reference/asterisk-chan-websocket.md): BINARY frames are media in the negotiated codec,
// TEXT frames are control events. MEDIA_START opens the call; MEDIA_MARK_PROCESSED answers a
// MARK_MEDIA; DTMF_END carries a digit; flow control and status events are passed on as text.
// Asterisk ends a call by closing the socket.
import type { CallStart, DecodeResult, DecoderOptions, InboundDecoder, RawFrame } from '../types.js';
import { reject, splitFrame } from '../frames.js';
import { BinaryMedia } from '../binary-media.js';
import { DTMF_DIGITS, ok } from '../fields.js';
import { parseControl, type ControlMessage } from './control.js';
import { asteriskFormat, frameBytes } from './formats.js';

const INFO_EVENTS = new Set(['MEDIA_XOFF', 'MEDIA_XON', 'QUEUE_DRAINED', 'MEDIA_BUFFERING_COMPLETED', 'STATUS', 'ERROR']);

export class AsteriskDecoder implements InboundDecoder {
  readonly protocol = 'asterisk' as const;
  start: CallStart | undefined;
  readonly stopped = false; // Asterisk hangs up by closing the socket
  private readonly frames = new BinaryMedia();

  constructor(private readonly options: DecoderOptions) {}

  decode(data: RawFrame, isBinary: boolean): DecodeResult {
    return splitFrame(data, isBinary, this.options.maxMessageBytes, (b) => this.media(b), (t) => this.control(t));
  }

  private control(text: string): DecodeResult {
    const msg = parseControl(text);
    if (!msg) return text.trim().startsWith('{') ? reject('bad_json', 'control message is not a JSON event') : reject('unknown_event', 'control message is not an Asterisk event');
    if (msg.event === 'MEDIA_START') return this.onStart(msg);
    if (!this.start) return reject('event_before_start', `'${msg.event}' before MEDIA_START`);
    if (msg.event === 'MEDIA_MARK_PROCESSED') {
      return msg.arg ? ok({ kind: 'mark', name: msg.arg }) : reject('missing_field', 'MEDIA_MARK_PROCESSED without a correlation id');
    }
    if (msg.event === 'DTMF_END') {
      const d = msg.fields['digit'];
      if (d === undefined) return reject('missing_field', 'DTMF_END.digit is missing');
      return DTMF_DIGITS.test(d) ? ok({ kind: 'dtmf', digit: d }) : reject('wrong_type', 'DTMF_END.digit must be one of 0-9 * # A-D');
    }
    if (INFO_EVENTS.has(msg.event)) return ok({ kind: 'text', text: text.slice(0, 200), ...(msg.json ? { json: msg.json } : {}) });
    return reject('unknown_event', `unknown event '${msg.event.slice(0, 40)}'`);
  }

  private onStart(msg: ControlMessage): DecodeResult {
    if (this.start) return reject('duplicate_start', 'a second MEDIA_START on one connection');
    const f = msg.fields;
    const channelId = f['channel_id'];
    const connectionId = f['connection_id'];
    const formatName = f['format'];
    if (!channelId || !connectionId || !formatName) return reject('missing_field', 'MEDIA_START needs connection_id, channel_id and format');
    const format = asteriskFormat(formatName);
    if (!format) return reject('unsupported_format', `format ${formatName.slice(0, 20)}: Parley takes ulaw, alaw, slin or slin16 (the c() option of the WebSocket dial string)`);
    const ptime = f['ptime'] === undefined ? 20 : Number(f['ptime']);
    const frameSize = f['optimal_frame_size'] === undefined ? frameBytes(format) : Number(f['optimal_frame_size']);
    if (ptime !== 20 || frameSize !== frameBytes(format)) {
      return reject('unsupported_format', `ptime ${String(f['ptime']).slice(0, 8)} / optimal_frame_size ${String(f['optimal_frame_size']).slice(0, 8)}: Parley sends 20 ms frames`);
    }
    const vars = msg.json?.['channel_variables'];
    const customParameters: Record<string, string> = {};
    if (vars && typeof vars === 'object' && !Array.isArray(vars)) {
      for (const [k, v] of Object.entries(vars)) if (typeof v === 'string') customParameters[k] = v;
    }
    const start: CallStart = {
      kind: 'start',
      callId: channelId,
      streamId: connectionId,
      format,
      customParameters,
      metadata: { channel: f['channel'] ?? '', controlFormat: msg.format, optimalFrameSize: frameSize },
      implicit: false,
    };
    this.start = start;
    return ok(start);
  }

  private media(payload: Buffer): DecodeResult {
    if (!this.start) return reject('media_before_start', 'media before MEDIA_START');
    return this.frames.refuse(payload, this.start.format) ?? ok(this.frames.media(payload, this.start.format));
  }
}
