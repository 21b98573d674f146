// The caller's side as Asterisk chan_websocket dialling out to Parley (websocket_client.conf
// connection): MEDIA_START, then media as BINARY frames in the negotiated codec; MARK_MEDIA is
// answered with MEDIA_MARK_PROCESSED when playout reaches it, FLUSH_MEDIA drops queued media and
// marks unanswered, HANGUP ends the channel (docs/reference/asterisk-chan-websocket.md). Outside
// bulk mode the driver drops a partial frame at the end of a message: flagged here.
import { randomUUID } from 'node:crypto';
import type { AudioFormat } from '../../../media/types.js';
import { WireCodec } from './leg-codec.js';
import type { Incoming, Leg, OutFrame } from './legs.js';
import type { Clip } from './voice-source.js';

const NAMES = { mulaw: 'ulaw', alaw: 'alaw', pcm16: 'slin' } as const;

export class AsteriskLeg implements Leg {
  readonly sampleRate: number;
  readonly marksReturnOnClear = false;
  readonly connectionId = randomUUID();
  private readonly codec: WireCodec;
  private readonly frameBytes: number;

  constructor(
    private readonly channelId: string,
    readonly format: AudioFormat,
  ) {
    this.sampleRate = format.rate;
    this.codec = new WireCodec(format);
    this.frameBytes = (format.rate / 50) * this.codec.bytesPerSample;
  }

  /** websocket_client.conf's username/password go out as basic auth. */
  credentials(url: string, token: string) {
    return { url, headers: { Authorization: `Basic ${Buffer.from(`asterisk:${token}`).toString('base64')}` } };
  }

  greeting(): OutFrame[] {
    const name = format16(this.format) ?? NAMES[this.format.codec];
    return [
      {
        data: `MEDIA_START connection_id:${this.connectionId} channel:WebSocket/parley/0x5f3a channel_id:${this.channelId} format:${name} optimal_frame_size:${this.frameBytes} ptime:20`,
        binary: false,
      },
    ];
  }

  audio(clip: Clip, i: number): OutFrame {
    return { data: this.codec.bytes(clip, i), binary: true };
  }

  markEcho(name: string): OutFrame {
    return { data: `MEDIA_MARK_PROCESSED ${name}`, binary: false };
  }

  dtmf(digit: string): OutFrame {
    return { data: `DTMF_END digit:${digit} channel_id:${this.channelId}`, binary: false };
  }

  goodbye(): OutFrame[] {
    return []; // Asterisk hangs up by closing the WebSocket
  }

  parse(data: string | Buffer, isBinary: boolean, withSamples: boolean): Incoming {
    if (isBinary) {
      const bytes = data as Buffer;
      if (bytes.length === 0 || bytes.length % this.frameBytes !== 0) return { kind: 'error', detail: `media of ${bytes.length} B: not whole ${this.frameBytes} B frames (the driver drops the tail)` };
      return { kind: 'audio', samples: bytes.length / this.codec.bytesPerSample, pcm: withSamples ? this.codec.decode(bytes) : undefined };
    }
    const t = String(data).trim();
    if (t.length > 128) return { kind: 'error', detail: `TEXT message of ${t.length} B: the driver ignores more than 128` };
    const space = t.indexOf(' ');
    const cmd = space < 0 ? t : t.slice(0, space);
    const arg = space < 0 ? '' : t.slice(space + 1).trim();
    switch (cmd) {
      case 'MARK_MEDIA':
        return arg ? { kind: 'mark', name: arg } : { kind: 'error', detail: 'MARK_MEDIA without an id' };
      case 'FLUSH_MEDIA':
        return { kind: 'clear' };
      case 'HANGUP':
        return { kind: 'hangup' };
      default:
        return { kind: 'error', detail: `command '${cmd.slice(0, 40)}' not emulated (Parley should not need it)` };
    }
  }
}

function format16(f: AudioFormat): string | undefined {
  return f.codec === 'pcm16' && f.rate === 16000 ? 'slin16' : undefined;
}
