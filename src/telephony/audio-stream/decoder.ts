// FreeSWITCH mod_audio_stream inbound frames → typed events
// (docs/reference/mod-audio-stream.md#what-the-module-sends). The module may send one text frame of
// metadata first (the `start` API's 6th argument); then binary PCM16LE mono frames. Later text
// frames come from `send_text` / `stop <text>`.
//
// Metadata keys Parley understands (the rest become customParameters):
//   sampleRate: 8000 | 16000     callId | uuid | call_id: string     channels: 1
import { randomUUID } from 'node:crypto';
import type { CallStart, DecodeResult, DecoderOptions, InboundDecoder, InboundEvent, RawFrame, Rejection } from '../types.js';
import { isRecord, parseJson } from '../../base/wire.js';
import { reject, splitFrame } from '../frames.js';
import { BinaryMedia } from '../binary-media.js';

const ID_KEYS = ['callId', 'uuid', 'call_id'] as const;
/** The module's audio: PCM16 at any rate (the refusals do not depend on the rate). */
const PCM16 = { codec: 'pcm16', rate: 8000 } as const;
const RESERVED = new Set<string>(['sampleRate', 'channels', ...ID_KEYS]);

export class AudioStreamDecoder implements InboundDecoder {
  readonly protocol = 'audio-stream' as const;
  start: CallStart | undefined;
  readonly stopped = false; // the module ends a stream by closing the socket
  private readonly frames = new BinaryMedia();

  constructor(private readonly options: DecoderOptions) {}

  decode(data: RawFrame, isBinary: boolean): DecodeResult {
    return splitFrame(data, isBinary, this.options.maxMessageBytes, (b) => this.audio(b), (t) => this.text(t));
  }

  private text(text: string): DecodeResult {
    if (this.start) {
      const parsed = parseJson(text);
      return { ok: true, events: [{ kind: 'text', text, ...(parsed.ok ? { json: parsed.value } : {}) }] };
    }
    const parsed = parseJson(text);
    if (!parsed.ok) return reject('bad_json', 'metadata frame is not valid JSON');
    if (!isRecord(parsed.value)) return reject('not_object', 'metadata must be a JSON object');
    const start = this.metadataStart(parsed.value);
    if ('ok' in start) return start;
    this.start = start;
    return { ok: true, events: [start] };
  }

  private metadataStart(meta: Record<string, unknown>): CallStart | Rejection {
    const rate = meta['sampleRate'] ?? this.options.defaultSampleRate ?? 8000;
    if (typeof rate !== 'number') return reject('wrong_type', 'metadata.sampleRate must be a number');
    if (rate !== 8000 && rate !== 16000) return reject('unsupported_format', `metadata.sampleRate ${rate}; only 8000 or 16000`);
    const channels = meta['channels'] ?? 1;
    if (typeof channels !== 'number') return reject('wrong_type', 'metadata.channels must be a number');
    if (channels !== 1) return reject('unsupported_format', `metadata.channels ${channels}; only mono`);
    let callId: string | undefined;
    for (const key of ID_KEYS) {
      const v = meta[key];
      if (v === undefined) continue;
      if (typeof v !== 'string' || v.length === 0) return reject('wrong_type', `metadata.${key} must be a non-empty string`);
      callId ??= v;
    }
    const customParameters: Record<string, string> = {};
    for (const [k, v] of Object.entries(meta)) {
      if (RESERVED.has(k)) continue;
      if (typeof v === 'string') customParameters[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') customParameters[k] = String(v);
    }
    const id = callId ?? randomUUID();
    return { kind: 'start', callId: id, streamId: id, format: { codec: 'pcm16', rate }, customParameters, metadata: meta, implicit: false };
  }

  private audio(payload: Buffer): DecodeResult {
    const bad = this.frames.refuse(payload, PCM16);
    if (bad) return bad;
    const events: InboundEvent[] = [];
    if (!this.start) {
      // No metadata: the stream starts with the configured defaults (the module makes metadata optional).
      const id = randomUUID();
      const rate = this.options.defaultSampleRate ?? 8000;
      this.start = { kind: 'start', callId: id, streamId: id, format: { codec: 'pcm16', rate }, customParameters: {}, implicit: true };
      events.push(this.start);
    }
    events.push(this.frames.media(payload, this.start.format));
    return { ok: true, events };
  }
}
