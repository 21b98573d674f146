// Vonage Voice API WebSocket → typed events (docs/reference/vonage.md). The first message is
// text: `websocket:connected` with the `content-type` (audio/l16;rate=8000|16000) and the NCCO
// endpoint's `headers` merged in; then binary 16-bit linear PCM frames, and text events:
// `websocket:notify` (a notify we sent has been reached in playback), `websocket:cleared` (a
// clear took effect), `websocket:dtmf` (a key press). Vonage ends the call by closing.
import { randomUUID } from 'node:crypto';
import type { CallStart, DecodeResult, DecoderOptions, InboundDecoder, RawFrame } from '../types.js';
import { isRecord, parseJson } from '../../base/wire.js';
import { reject, splitFrame } from '../frames.js';
import { BinaryMedia } from '../binary-media.js';
import { DTMF_DIGITS } from '../fields.js';

const CONTENT_TYPE = /^audio\/l16;\s*rate=(8000|16000)$/i;
const ID_KEYS = ['uuid', 'callId', 'call_id', 'conversation_uuid'] as const;

export class VonageDecoder implements InboundDecoder {
  readonly protocol = 'vonage' as const;
  start: CallStart | undefined;
  readonly stopped = false;
  private readonly frames = new BinaryMedia();

  constructor(private readonly options: DecoderOptions) {}

  decode(data: RawFrame, isBinary: boolean): DecodeResult {
    return splitFrame(data, isBinary, this.options.maxMessageBytes, (b) => this.audio(b), (t) => this.text(t));
  }

  private text(text: string): DecodeResult {
    const parsed = parseJson(text);
    if (!parsed.ok) return reject('bad_json', 'text frame is not valid JSON');
    if (!isRecord(parsed.value)) return reject('not_object', 'text frame must be a JSON object');
    const msg = parsed.value;
    const event = msg['event'];
    if (!this.start) return event === 'websocket:connected' ? this.connected(msg) : reject('event_before_start', 'the first message must be websocket:connected');
    switch (event) {
      case 'websocket:connected':
        return reject('duplicate_start', 'a second websocket:connected');
      case 'websocket:notify': {
        const payload = msg['payload'];
        const mark = isRecord(payload) ? payload['mark'] : undefined;
        // A notify Parley did not send (no mark in its payload) means nothing for playback.
        if (typeof mark !== 'string') return { ok: true, events: [{ kind: 'text', text, json: msg }] };
        return { ok: true, events: [{ kind: 'mark', name: mark }] };
      }
      case 'websocket:cleared':
        return { ok: true, events: [{ kind: 'text', text, json: msg }] };
      case 'websocket:dtmf': {
        const digit = msg['digit'];
        if (typeof digit !== 'string' || !DTMF_DIGITS.test(digit)) return reject('wrong_type', 'websocket:dtmf needs one digit 0-9 * # A-D');
        return { ok: true, events: [{ kind: 'dtmf', digit }] };
      }
      default:
        return reject('unknown_event', `unknown event '${String(event).slice(0, 40)}'`);
    }
  }

  private connected(msg: Readonly<Record<string, unknown>>): DecodeResult {
    const type = msg['content-type'];
    if (typeof type !== 'string') return reject('missing_field', 'websocket:connected needs content-type');
    const m = CONTENT_TYPE.exec(type.trim());
    if (!m) return reject('unsupported_format', `content-type '${type.slice(0, 60)}' is not audio/l16;rate=8000 or 16000`);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(msg)) {
      if (k === 'event' || k === 'content-type') continue;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') params[k] = String(v);
    }
    const id = ID_KEYS.map((k) => params[k]).find((v) => v !== undefined && v.length > 0) ?? randomUUID();
    this.start = {
      kind: 'start',
      callId: id,
      streamId: id,
      format: { codec: 'pcm16', rate: Number(m[1]) as 8000 | 16000 },
      customParameters: params,
      metadata: msg,
      implicit: false,
    };
    return { ok: true, events: [this.start] };
  }

  private audio(payload: Buffer): DecodeResult {
    if (!this.start) return reject('media_before_start', 'audio before websocket:connected');
    return this.frames.refuse(payload, this.start.format) ?? { ok: true, events: [this.frames.media(payload, this.start.format)] };
  }
}
