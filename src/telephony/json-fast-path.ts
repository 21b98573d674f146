// The fast path for the JSON platforms' two most frequent messages — media (~50 a call-second) and
// the mark echoes of the agent's frames (as many while it speaks): a strict scan of the frame's
// bytes that recognises them in the plain shape the platforms send (no whitespace, no escapes,
// ASCII only, each key the decoder reads present at most once, counters as it reads them) and
// decodes the base64 payload straight from the bytes, without the UTF-8 string, JSON.parse, its
// objects and the payload string. Anything else, and anything the scan is unsure of, answers
// undefined: the full decoder (json-stream.ts) then decides, so rejections and counters are always
// the full decoder's. test/telephony/json-fast-path.test.ts runs both over generated and mutated
// frames and requires identical results.
import type { CallStart, DecodeResult } from './types.js';

/** What the fast path needs of a JsonStreamShape (and which of its events are the shared ones). */
export interface FastPathShape {
  readonly streamKey: string;
  readonly seqKey: string;
  readonly track: 'ignore' | 'check' | 'caller';
  toCore?(bytes: Buffer, start: CallStart): Buffer;
  /** The shape reads `media` / `mark` with the shared readers (json-stream.ts SHARED_EVENTS). */
  readonly media: boolean;
  readonly mark: boolean;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const BACKSLASH = 0x5c;
const ZERO = 0x30;
const NINE = 0x39;
const PAD = 0x3d;

/** Base64 alphabet → 6-bit value; -1 for everything else ('=' included: padding is handled apart). */
const B64 = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((ch, i) => (B64[ch.charCodeAt(0)] = i));

// Key ids: which field a key names (0: one the decoder does not read, its value is skipped).
const K_OTHER = 0;
const K_EVENT = 1;
const K_STREAM = 2;
const K_SEQ = 3;
const K_MEDIA = 4; // the media object
const K_MARK = 5; // the mark object
const K_TRACK = 6; // in media
const K_TS = 7; // in media
const K_PAYLOAD = 8; // in media
const K_NAME = 9; // in mark
const FIELDS = 10;

/** The counters the full decoder accepts as strings: 1–15 decimal digits (fields.ts `counter`). */
const MAX_COUNTER_DIGITS = 15;

/** End (the closing quote) of a plain string starting at s; -1 for escapes, control or non-ASCII bytes. */
function stringEnd(b: Buffer, s: number): number {
  for (let j = s; j < b.length; j++) {
    const c = b[j]!;
    if (c === QUOTE) return j;
    if (c === BACKSLASH || c < 0x20 || c >= 0x80) return -1;
  }
  return -1;
}

/** End of the digits of a JSON integer starting at s (no leading zero); what follows is checked by the caller. */
function digitsEnd(b: Buffer, s: number): number {
  if (b[s] === ZERO) return s + 1;
  let j = s;
  while (j < b.length && b[j]! >= ZERO && b[j]! <= NINE) j++;
  return j;
}

function sameBytes(b: Buffer, s: number, e: number, key: Uint8Array): boolean {
  if (e - s !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (b[s + k] !== key[k]) return false;
  return true;
}

const bytesOf = (s: string): Buffer => Buffer.from(s, 'latin1');

export class JsonFastPath {
  private readonly eventKey = bytesOf('event');
  private readonly streamKey: Buffer;
  private readonly seqKey: Buffer;
  private readonly mediaKey = bytesOf('media');
  private readonly markKey = bytesOf('mark');
  private readonly trackKey = bytesOf('track');
  private readonly tsKey = bytesOf('timestamp');
  private readonly payloadKey = bytesOf('payload');
  private readonly nameKey = bytesOf('name');
  private readonly outbound = bytesOf('outbound');
  // Value spans by key id, reused from frame to frame: start (-1: absent), end (exclusive), whether a string.
  private readonly vs = new Int32Array(FIELDS);
  private readonly ve = new Int32Array(FIELDS);
  private readonly vstr = new Uint8Array(FIELDS);

  constructor(private readonly shape: FastPathShape) {
    this.streamKey = bytesOf(shape.streamKey);
    this.seqKey = bytesOf(shape.seqKey);
  }

  /**
   * The event of `b` for the started call, or undefined: not a plain media or mark message (or a
   * rejection, an outbound track, an odd PCM16 length) — the full decoder reads it then.
   */
  decode(b: Buffer, start: CallStart): DecodeResult | undefined {
    if (!this.scan(b)) return undefined;
    const { vs, ve, vstr } = this;
    if (vs[K_EVENT]! < 0 || !vstr[K_EVENT]) return undefined;
    if (vs[K_STREAM]! >= 0 && !(vstr[K_STREAM] && this.isStream(b, vs[K_STREAM]!, ve[K_STREAM]!, start.streamId))) return undefined;
    if (this.shape.media && sameBytes(b, vs[K_EVENT]!, ve[K_EVENT]!, this.mediaKey)) return this.media(b, start);
    if (this.shape.mark && sameBytes(b, vs[K_EVENT]!, ve[K_EVENT]!, this.markKey)) return this.mark(b);
    return undefined;
  }

  private media(b: Buffer, start: CallStart): DecodeResult | undefined {
    const { vs, ve, vstr } = this;
    const seq = this.counter(b, K_SEQ);
    if (seq < 0 || vs[K_MEDIA]! < 0) return undefined;
    const ts = this.counter(b, K_TS);
    if (ts < 0) return undefined;
    if (this.shape.track !== 'ignore' && vs[K_TRACK]! >= 0) {
      if (!vstr[K_TRACK]) return undefined;
      if (this.shape.track === 'caller' && sameBytes(b, vs[K_TRACK]!, ve[K_TRACK]!, this.outbound)) return undefined;
    }
    if (vs[K_PAYLOAD]! < 0 || !vstr[K_PAYLOAD]) return undefined;
    const payload = decodeBase64Span(b, vs[K_PAYLOAD]!, ve[K_PAYLOAD]!);
    if (payload === undefined) return undefined;
    if (start.format.codec === 'pcm16' && payload.length % 2 !== 0) return undefined;
    const audio = this.shape.toCore ? this.shape.toCore(payload, start) : payload;
    return { ok: true, events: [{ kind: 'media', payload: audio, seq, timestampMs: ts }] };
  }

  private mark(b: Buffer): DecodeResult | undefined {
    const { vs, ve, vstr } = this;
    if (vs[K_MARK]! < 0 || vs[K_NAME]! < 0 || !vstr[K_NAME]) return undefined;
    // A plain string (stringEnd): its bytes are its value.
    return { ok: true, events: [{ kind: 'mark', name: b.toString('latin1', vs[K_NAME]!, ve[K_NAME]!) }] };
  }

  /** The frame is one object of plain keys and values, with `media` or `mark` objects the only nesting. */
  private scan(b: Buffer): boolean {
    this.vs.fill(-1);
    const n = b.length;
    if (n < 2 || b[0] !== OPEN) return false;
    let i = 1;
    let inside = K_OTHER; // the object being read: K_OTHER for the top level, else K_MEDIA or K_MARK
    for (;;) {
      if (b[i] !== QUOTE) return false;
      const ks = i + 1;
      const ke = stringEnd(b, ks);
      if (ke < 0 || b[ke + 1] !== COLON) return false;
      i = ke + 2;
      const key = inside === K_OTHER ? this.topField(b, ks, ke) : inside === K_MEDIA ? this.mediaField(b, ks, ke) : this.markField(b, ks, ke);
      if (key !== K_OTHER && this.vs[key]! >= 0) return false; // a repeated key: JSON.parse keeps the last
      const c = b[i];
      if (key === K_MEDIA || key === K_MARK) {
        if (c !== OPEN || b[i + 1] !== QUOTE) return false; // must be a non-empty object
        this.vs[key] = i;
        inside = key;
        i++;
        continue;
      }
      if (c === QUOTE) {
        // The payload and the stream id are checked byte by byte later (base64 alphabet, the
        // start's plain id): their end is just the next quote, found natively.
        const e = key === K_PAYLOAD || key === K_STREAM ? b.indexOf(QUOTE, i + 1) : stringEnd(b, i + 1);
        if (e < 0) return false;
        this.put(key, i + 1, e, 1);
        i = e + 1;
      } else if (c !== undefined && c >= ZERO && c <= NINE) {
        const e = digitsEnd(b, i);
        this.put(key, i, e, 0);
        i = e;
      } else return false;
      // After a value: another key, or the end of the nested object and/or of the message.
      for (;;) {
        const d = b[i];
        if (d === COMMA) {
          i++;
          break;
        }
        if (d !== CLOSE) return false;
        i++;
        if (inside === K_OTHER) return i === n;
        inside = K_OTHER;
      }
    }
  }

  private put(key: number, s: number, e: number, isString: number): void {
    if (key === K_OTHER) return;
    this.vs[key] = s;
    this.ve[key] = e;
    this.vstr[key] = isString;
  }

  private topField(b: Buffer, s: number, e: number): number {
    if (sameBytes(b, s, e, this.eventKey)) return K_EVENT;
    if (sameBytes(b, s, e, this.mediaKey)) return K_MEDIA;
    if (sameBytes(b, s, e, this.streamKey)) return K_STREAM;
    if (sameBytes(b, s, e, this.seqKey)) return K_SEQ;
    if (sameBytes(b, s, e, this.markKey)) return K_MARK;
    return K_OTHER;
  }

  private mediaField(b: Buffer, s: number, e: number): number {
    if (sameBytes(b, s, e, this.payloadKey)) return K_PAYLOAD;
    if (sameBytes(b, s, e, this.tsKey)) return K_TS;
    if (sameBytes(b, s, e, this.trackKey)) return K_TRACK;
    return K_OTHER;
  }

  private markField(b: Buffer, s: number, e: number): number {
    return sameBytes(b, s, e, this.nameKey) ? K_NAME : K_OTHER;
  }

  /** The span is the start's stream id, which is plain (so the span has no escape either). */
  private isStream(b: Buffer, s: number, e: number, id: string): boolean {
    if (e - s !== id.length) return false;
    for (let k = 0; k < id.length; k++) {
      const c = id.charCodeAt(k);
      if (c === BACKSLASH || c < 0x20 || c >= 0x80 || b[s + k] !== c) return false;
    }
    return true;
  }

  /** A counter as the full decoder reads it: absent → 0; 1–15 digits (string or number); else -1. */
  private counter(b: Buffer, key: number): number {
    const s = this.vs[key]!;
    if (s < 0) return 0;
    const e = this.ve[key]!;
    if (e - s < 1 || e - s > MAX_COUNTER_DIGITS) return -1;
    let v = 0;
    for (let j = s; j < e; j++) {
      const c = b[j]!;
      if (c < ZERO || c > NINE) return -1;
      v = v * 10 + (c - ZERO);
    }
    return v;
  }
}

/**
 * Canonical padded base64 in b[s, e) decoded, or undefined (empty, a length not a multiple of 4,
 * a character outside the alphabet, '=' anywhere but the last one or two places).
 */
export function decodeBase64Span(b: Buffer, s: number, e: number): Buffer | undefined {
  const len = e - s;
  if (len === 0 || len % 4 !== 0) return undefined;
  const pad = b[e - 1] === PAD ? (b[e - 2] === PAD ? 2 : 1) : 0;
  const out = Buffer.allocUnsafe((len / 4) * 3 - pad);
  const whole = pad === 0 ? e : e - 4;
  let o = 0;
  let j = s;
  for (; j < whole; j += 4) {
    const v = (B64[b[j]!]! << 18) | (B64[b[j + 1]!]! << 12) | (B64[b[j + 2]!]! << 6) | B64[b[j + 3]!]!;
    if (v < 0) return undefined; // any -1 sets the sign bit
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  if (pad > 0) {
    const a = B64[b[j]!]!;
    const c = B64[b[j + 1]!]!;
    const d = pad === 1 ? B64[b[j + 2]!]! : 0;
    if ((a | c | d) < 0) return undefined;
    out[o++] = (a << 2) | (c >>> 4);
    if (pad === 1) out[o++] = ((c & 0x0f) << 4) | (d >>> 2);
  }
  return out;
}
