// The caller's side of each telephony protocol: what it sends (acting as Twilio or as FreeSWITCH
// mod_audio_stream) and a strict reading of what Parley sends back.
import { randomBytes } from 'node:crypto';
import { strictBase64, strictBase64Length } from '../audio/base64.js';
import { mulawDecode, mulawEncode } from '../audio/g711.js';
import { pcm16FromBytes, pcm16ToBytes, resampleLinear } from '../audio/pcm.js';
import type { Clip } from './voice-source.js';

export type Incoming =
  | { readonly kind: 'audio'; readonly samples: number; readonly pcm: Int16Array | undefined }
  | { readonly kind: 'mark'; readonly name: string }
  | { readonly kind: 'clear' }
  /** The bridge asked the far side to hang up (chan_websocket HANGUP): it closes the connection. */
  | { readonly kind: 'hangup' }
  /** Parley's call-control action on the stream (`{"type":"parley.action"}`): the module fires it as a `mod_audio_stream::json` event for the dialplan. */
  | { readonly kind: 'action'; readonly body: string }
  /** Something the real far side would flag (Twilio 31950/31951) or not play (module `json` event). */
  | { readonly kind: 'error'; readonly detail: string };

export interface OutFrame {
  readonly data: string | Buffer;
  readonly binary: boolean;
}

export interface Leg {
  readonly sampleRate: number;
  /** Frames sent right after the socket opens. */
  greeting(): OutFrame[];
  /** One 20 ms caller frame: frame `i` of `clip` (encodings are cached on the clip). */
  audio(clip: Clip, i: number): OutFrame;
  markEcho(name: string): OutFrame | undefined;
  dtmf(digit: string): OutFrame | undefined;
  /** Frames sent before closing at hang-up. */
  goodbye(): OutFrame[];
  /**
   * How the platform presents Parley's token on the upgrade (a header, basic auth, or the URL's
   * query); default `Authorization: Bearer`.
   */
  credentials?(url: string, token: string): { readonly url: string; readonly headers: Readonly<Record<string, string>> };
  /** Frames the far side sends after a clear (Plivo `clearedAudio`); default none. */
  cleared?(): OutFrame[];
  /**
   * The far side echoes pending marks on clear, unplayed (Twilio, Telnyx, Exotel); false when a
   * clear drops them silently (Plivo checkpoints, chan_websocket marks). Default true.
   */
  readonly marksReturnOnClear?: boolean;
  parse(data: string | Buffer, isBinary: boolean, withSamples: boolean): Incoming;
}

const text = (o: unknown): OutFrame => ({ data: JSON.stringify(o), binary: false });
const hex = (n: number) => randomBytes(n).toString('hex');

const base64Bytes = strictBase64Length;

export class TwilioLeg implements Leg {
  readonly sampleRate = 8000;
  readonly streamSid = `MZ${hex(16)}`;
  readonly callSid: string;
  private seq = 0;
  private chunk = 0;

  constructor(
    callId: string,
    private readonly customParameters: Readonly<Record<string, string>>,
  ) {
    this.callSid = callId.startsWith('CA') ? callId : `CA${callId}`;
  }

  greeting(): OutFrame[] {
    return [
      text({ event: 'connected', protocol: 'Call', version: '1.0.0' }),
      text({
        event: 'start',
        sequenceNumber: String(++this.seq),
        streamSid: this.streamSid,
        start: {
          streamSid: this.streamSid,
          accountSid: 'ACsim0000000000000000000000000000',
          callSid: this.callSid,
          tracks: ['inbound'],
          customParameters: this.customParameters,
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
      }),
    ];
  }

  audio(clip: Clip, i: number): OutFrame {
    const ts = this.chunk * 20;
    const payload = clip.encoded('mulaw-b64', i, (pcm) => mulawEncode(pcm).toString('base64'));
    // Built by hand: this runs 50×/s per call in the load generator.
    return {
      data: `{"event":"media","sequenceNumber":"${++this.seq}","streamSid":"${this.streamSid}","media":{"track":"inbound","chunk":"${++this.chunk}","timestamp":"${ts}","payload":"${payload}"}}`,
      binary: false,
    };
  }

  markEcho(name: string): OutFrame {
    return text({ event: 'mark', sequenceNumber: String(++this.seq), streamSid: this.streamSid, mark: { name } });
  }

  dtmf(digit: string): OutFrame {
    return text({ event: 'dtmf', sequenceNumber: String(++this.seq), streamSid: this.streamSid, dtmf: { track: 'inbound_track', digit } });
  }

  goodbye(): OutFrame[] {
    return [text({ event: 'stop', sequenceNumber: String(++this.seq), streamSid: this.streamSid, stop: { accountSid: 'ACsim', callSid: this.callSid } })];
  }

  parse(data: string | Buffer, isBinary: boolean, withSamples: boolean): Incoming {
    if (isBinary) return { kind: 'error', detail: '31950 binary frame' };
    let m: unknown;
    try {
      m = JSON.parse(String(data));
    } catch {
      return { kind: 'error', detail: '31951 invalid JSON' };
    }
    if (typeof m !== 'object' || m === null) return { kind: 'error', detail: '31951 not an object' };
    const msg = m as Record<string, unknown>;
    const event = msg['event'];
    if (event !== 'media' && event !== 'mark' && event !== 'clear') return { kind: 'error', detail: `31951 unknown event '${String(event).slice(0, 40)}'` };
    if (msg['streamSid'] !== this.streamSid) return { kind: 'error', detail: `31951 wrong or missing streamSid on '${event}'` };
    switch (event) {
      case 'media': {
        const media = msg['media'] as Record<string, unknown> | undefined;
        const payload = media?.['payload'];
        if (typeof payload !== 'string') return { kind: 'error', detail: '31951 media without payload' };
        if (withSamples) {
          const bytes = strictBase64(payload);
          return bytes ? { kind: 'audio', samples: bytes.length, pcm: mulawDecode(bytes) } : { kind: 'error', detail: '31951 bad base64' };
        }
        const n = base64Bytes(payload);
        return n === undefined ? { kind: 'error', detail: '31951 bad base64' } : { kind: 'audio', samples: n, pcm: undefined };
      }
      case 'mark': {
        const mark = msg['mark'] as Record<string, unknown> | undefined;
        const name = mark?.['name'];
        return typeof name === 'string' ? { kind: 'mark', name } : { kind: 'error', detail: '31951 mark without mark.name' };
      }
      case 'clear':
        return { kind: 'clear' };
    }
  }
}

export class AudioStreamLeg implements Leg {
  constructor(
    readonly sampleRate: 8000 | 16000,
    private readonly metadata: Readonly<Record<string, unknown>> | null,
  ) {}

  greeting(): OutFrame[] {
    return this.metadata === null ? [] : [text(this.metadata)];
  }

  audio(clip: Clip, i: number): OutFrame {
    return { data: clip.encoded('pcm16', i, pcm16ToBytes), binary: true };
  }

  markEcho(): undefined {
    return undefined;
  }

  dtmf(): undefined {
    return undefined;
  }

  goodbye(): OutFrame[] {
    return [];
  }

  /** The fork's processMessage rules (docs/reference/mod-audio-stream.md#what-the-module-accepts); anything it would not play is an error here. */
  parse(data: string | Buffer, isBinary: boolean, withSamples: boolean): Incoming {
    if (isBinary) return { kind: 'error', detail: 'binary frame (the module ignores these)' };
    let m: unknown;
    try {
      m = JSON.parse(String(data));
    } catch {
      return { kind: 'error', detail: 'json event: not JSON' };
    }
    if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'parley.action') return { kind: 'action', body: String(data) };
    if (typeof m !== 'object' || m === null || (m as { type?: unknown }).type !== 'streamAudio') return { kind: 'error', detail: 'json event: not streamAudio' };
    const d = (m as { data?: unknown }).data;
    if (typeof d !== 'object' || d === null) return { kind: 'error', detail: 'streamAudio without data' };
    const o = d as Record<string, unknown>;
    if (o['clear'] === true) return { kind: 'clear' };
    if (o['audioDataType'] !== 'raw') return { kind: 'error', detail: `audioDataType '${String(o['audioDataType'])}' (only raw)` };
    const rate = o['sampleRate'];
    if (typeof rate !== 'number' || rate <= 0) return { kind: 'error', detail: 'bad sampleRate' };
    const channels = o['channels'] ?? 1;
    if (channels !== 1 && channels !== 2) return { kind: 'error', detail: 'channels must be 1 or 2' };
    const audio = o['audioData'];
    if (typeof audio !== 'string' || audio.length === 0) return { kind: 'error', detail: 'empty audioData' };
    const bytes = withSamples || rate !== this.sampleRate || channels === 2 ? strictBase64(audio) : undefined;
    if (!bytes) {
      const n = base64Bytes(audio);
      return n === undefined ? { kind: 'error', detail: 'bad base64' } : { kind: 'audio', samples: n >> 1, pcm: undefined };
    }
    let pcm = pcm16FromBytes(bytes);
    if (channels === 2) {
      const mono = new Int16Array(pcm.length >> 1);
      for (let i = 0; i < mono.length; i++) mono[i] = (pcm[2 * i]! + pcm[2 * i + 1]!) >> 1;
      pcm = mono;
    }
    if (rate !== this.sampleRate) pcm = resampleLinear(pcm, rate, this.sampleRate);
    return { kind: 'audio', samples: pcm.length, pcm: withSamples ? pcm : undefined };
  }
}
