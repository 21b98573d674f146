// The caller's side as a Plivo bidirectional audio stream: start/media/dtmf with camelCase fields
// and numeric counters; playAudio must carry the stream's contentType and sampleRate; checkpoint
// is answered by playedStream once played, clearAudio by clearedAudio, and a clear drops pending
// checkpoints without answering them (docs/reference/plivo-audio-streams.md).
import { randomUUID } from 'node:crypto';
import type { AudioFormat } from '../../../media/types.js';
import { jsonObject, WireCodec } from './leg-codec.js';
import type { Incoming, Leg, OutFrame } from './legs.js';
import type { Clip } from './voice-source.js';

const text = (o: unknown): OutFrame => ({ data: JSON.stringify(o), binary: false });

export class PlivoLeg implements Leg {
  readonly sampleRate: number;
  readonly streamId = randomUUID();
  readonly marksReturnOnClear = false;
  private readonly codec: WireCodec;
  private readonly contentType: string;
  private seq = 0;
  private chunk = 0;

  constructor(
    private readonly callId: string,
    readonly format: AudioFormat,
    private readonly extraHeaders: Readonly<Record<string, string>>,
  ) {
    this.sampleRate = format.rate;
    this.codec = new WireCodec(format);
    this.contentType = format.codec === 'mulaw' ? 'audio/x-mulaw' : 'audio/x-l16';
  }

  /** Plivo cannot send headers: the token rides in the stream URL's query. */
  credentials(url: string, token: string) {
    const u = new URL(url);
    u.searchParams.set('token', token);
    return { url: u.toString(), headers: {} };
  }

  greeting(): OutFrame[] {
    const extra = Object.entries(this.extraHeaders).map(([k, v]) => `${k}=${v}`).join(';');
    return [
      text({
        event: 'start',
        sequenceNumber: ++this.seq,
        start: {
          callId: this.callId,
          streamId: this.streamId,
          accountId: 'MASIM00000000000000',
          tracks: ['inbound'],
          mediaFormat: { encoding: this.contentType, sampleRate: this.sampleRate },
        },
        ...(extra ? { extra_headers: extra } : {}),
      }),
    ];
  }

  audio(clip: Clip, i: number): OutFrame {
    const ts = Date.now();
    return {
      data: `{"event":"media","sequenceNumber":${++this.seq},"streamId":"${this.streamId}","media":{"track":"inbound","timestamp":"${ts}","chunk":${++this.chunk},"payload":"${this.codec.base64(clip, i)}"}}`,
      binary: false,
    };
  }

  markEcho(name: string): OutFrame {
    return text({ event: 'playedStream', sequenceNumber: ++this.seq, streamId: this.streamId, name });
  }

  dtmf(digit: string): OutFrame {
    return text({ event: 'dtmf', sequenceNumber: ++this.seq, streamId: this.streamId, dtmf: { track: 'inbound', digit } });
  }

  goodbye(): OutFrame[] {
    return []; // Plivo ends a stream by closing the socket
  }

  cleared(): OutFrame[] {
    return [text({ event: 'clearedAudio', sequenceNumber: ++this.seq, streamId: this.streamId })];
  }

  parse(data: string | Buffer, isBinary: boolean, withSamples: boolean): Incoming {
    const msg = jsonObject(data, isBinary);
    if (typeof msg === 'string') return { kind: 'error', detail: msg };
    switch (msg['event']) {
      case 'playAudio': {
        const media = msg['media'] as Record<string, unknown> | undefined;
        if (media?.['contentType'] !== this.contentType || media['sampleRate'] !== this.sampleRate) {
          return { kind: 'error', detail: `playAudio as ${String(media?.['contentType'])}/${String(media?.['sampleRate'])}, stream is ${this.contentType}/${this.sampleRate}` };
        }
        const payload = media['payload'];
        if (typeof payload !== 'string' || payload.length === 0) return { kind: 'error', detail: 'playAudio without payload' };
        const pcm = withSamples ? this.codec.pcmOf64(payload) : undefined;
        const n = pcm ? pcm.length : this.codec.samplesOf64(payload);
        return n === undefined ? { kind: 'error', detail: 'playAudio payload is not whole samples of base64' } : { kind: 'audio', samples: n, pcm };
      }
      case 'checkpoint': {
        if (msg['streamId'] !== this.streamId) return { kind: 'error', detail: 'checkpoint for another streamId' };
        const name = msg['name'];
        return typeof name === 'string' && name.length > 0 ? { kind: 'mark', name } : { kind: 'error', detail: 'checkpoint without name' };
      }
      case 'clearAudio':
        return msg['streamId'] === this.streamId ? { kind: 'clear' } : { kind: 'error', detail: 'clearAudio for another streamId' };
      case 'sendDTMF': {
        // Plivo plays the digits into the call: an action on the call, not audio.
        const digits = msg['dtmf'];
        return typeof digits === 'string' && /^[0-9*#A-D]+$/.test(digits) ? { kind: 'action', body: JSON.stringify(msg) } : { kind: 'error', detail: 'sendDTMF without keypad digits in dtmf' };
      }
      default:
        return { kind: 'error', detail: `unknown event '${String(msg['event']).slice(0, 40)}'` };
    }
  }
}
