// The caller's side as Exotel's Voicebot applet (bidirectional stream): connected/start/media/
// dtmf/mark/stop with stream_sid, base64 PCM16LE; reads Parley's media/mark/clear strictly and
// flags audio chunks that are not a multiple of 320 bytes (docs/reference/exotel-voicebot.md).
import { randomBytes } from 'node:crypto';
import { jsonObject, WireCodec } from './leg-codec.js';
import type { Incoming, Leg, OutFrame } from './legs.js';
import type { Clip } from './voice-source.js';

const text = (o: unknown): OutFrame => ({ data: JSON.stringify(o), binary: false });
const hex = (n: number) => randomBytes(n).toString('hex');

export class ExotelLeg implements Leg {
  readonly streamSid = hex(16);
  private readonly codec: WireCodec;
  private seq = 0;
  private chunk = 0;

  constructor(
    private readonly callSid: string,
    readonly sampleRate: 8000 | 16000,
    private readonly customParameters: Readonly<Record<string, string>>,
  ) {
    this.codec = new WireCodec({ codec: 'pcm16', rate: sampleRate });
  }

  /** Exotel turns wss://KEY:TOKEN@host/… into basic auth. */
  credentials(url: string, token: string) {
    return { url, headers: { Authorization: `Basic ${Buffer.from(`exotelkey:${token}`).toString('base64')}` } };
  }

  greeting(): OutFrame[] {
    return [
      text({ event: 'connected' }),
      text({
        event: 'start',
        sequence_number: String(++this.seq),
        stream_sid: this.streamSid,
        start: {
          stream_sid: this.streamSid,
          call_sid: this.callSid,
          account_sid: 'exotelsim1',
          from: '+919800000001',
          to: '+918000000002',
          custom_parameters: this.customParameters,
          media_format: { encoding: 'audio/x-raw', sample_rate: String(this.sampleRate), bit_rate: '16' },
        },
      }),
    ];
  }

  audio(clip: Clip, i: number): OutFrame {
    const ts = this.chunk * 20;
    return {
      data: `{"event":"media","sequence_number":"${++this.seq}","stream_sid":"${this.streamSid}","media":{"chunk":"${++this.chunk}","timestamp":"${ts}","payload":"${this.codec.base64(clip, i)}"}}`,
      binary: false,
    };
  }

  markEcho(name: string): OutFrame {
    return text({ event: 'mark', sequence_number: String(++this.seq), stream_sid: this.streamSid, mark: { name } });
  }

  dtmf(digit: string): OutFrame {
    return text({ event: 'dtmf', sequence_number: String(++this.seq), stream_sid: this.streamSid, dtmf: { digit, duration: '100' } });
  }

  goodbye(): OutFrame[] {
    return [text({ event: 'stop', sequence_number: String(++this.seq), stream_sid: this.streamSid, stop: { call_sid: this.callSid, account_sid: 'exotelsim1', reason: 'callended' } })];
  }

  parse(data: string | Buffer, isBinary: boolean, withSamples: boolean): Incoming {
    const msg = jsonObject(data, isBinary);
    if (typeof msg === 'string') return { kind: 'error', detail: msg };
    const event = msg['event'];
    if (event !== 'media' && event !== 'mark' && event !== 'clear') return { kind: 'error', detail: `unknown event '${String(event).slice(0, 40)}'` };
    if (msg['stream_sid'] !== this.streamSid) return { kind: 'error', detail: `wrong or missing stream_sid on '${event}'` };
    if (event === 'clear') return { kind: 'clear' };
    if (event === 'mark') {
      const name = (msg['mark'] as Record<string, unknown> | undefined)?.['name'];
      return typeof name === 'string' ? { kind: 'mark', name } : { kind: 'error', detail: 'mark without mark.name' };
    }
    const payload = (msg['media'] as Record<string, unknown> | undefined)?.['payload'];
    if (typeof payload !== 'string' || payload.length === 0) return { kind: 'error', detail: 'media without payload' };
    const pcm = withSamples ? this.codec.pcmOf64(payload) : undefined;
    const n = pcm ? pcm.length : this.codec.samplesOf64(payload);
    if (n === undefined) return { kind: 'error', detail: 'media payload is not whole PCM16 samples of base64' };
    if ((n * 2) % 320 !== 0) return { kind: 'error', detail: `media chunk of ${n * 2} B: Exotel needs a multiple of 320 B` };
    return { kind: 'audio', samples: n, pcm };
  }
}
