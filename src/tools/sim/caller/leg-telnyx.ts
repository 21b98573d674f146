// The caller's side as Telnyx Media Streaming (bidirectional, stream_bidirectional_mode rtp):
// connected/start/media/dtmf/mark/stop with snake_case fields and a top-level stream_id; reads
// Parley's media/mark/clear strictly (docs/reference/telnyx-media-streaming.md).
import { randomUUID } from 'node:crypto';
import type { AudioFormat } from '../../../media/types.js';
import { jsonObject, WireCodec } from './leg-codec.js';
import type { Incoming, Leg, OutFrame } from './legs.js';
import type { Clip } from './voice-source.js';

const text = (o: unknown): OutFrame => ({ data: JSON.stringify(o), binary: false });
const ENCODING = { mulaw: 'PCMU', alaw: 'PCMA', pcm16: 'L16' } as const;

export class TelnyxLeg implements Leg {
  readonly sampleRate: number;
  readonly streamId = randomUUID();
  private readonly codec: WireCodec;
  private seq = 0;
  private chunk = 0;

  constructor(
    private readonly callControlId: string,
    readonly format: AudioFormat,
    private readonly customParameters: Readonly<Record<string, string>>,
  ) {
    this.sampleRate = format.rate;
    this.codec = new WireCodec(format, format.codec === 'pcm16');
  }

  /** Telnyx sends the stream's `stream_auth_token` as this header. */
  credentials(url: string, token: string) {
    return { url, headers: { 'x-telnyx-streaming-auth-token': token } };
  }

  greeting(): OutFrame[] {
    return [
      text({ event: 'connected', version: '1.0.0' }),
      text({
        event: 'start',
        sequence_number: String(++this.seq),
        stream_id: this.streamId,
        start: {
          user_id: '3e6f995f-0000-4705-9741-53b116d28237',
          call_control_id: this.callControlId,
          call_session_id: randomUUID(),
          from: '+13125550100',
          to: '+13125550199',
          custom_parameters: this.customParameters,
          media_format: { encoding: ENCODING[this.format.codec], sample_rate: this.format.rate, channels: 1 },
        },
      }),
    ];
  }

  audio(clip: Clip, i: number): OutFrame {
    const ts = this.chunk * 20;
    const payload = this.codec.base64(clip, i);
    return {
      data: `{"event":"media","sequence_number":"${++this.seq}","media":{"track":"inbound","chunk":"${++this.chunk}","timestamp":"${ts}","payload":"${payload}"},"stream_id":"${this.streamId}"}`,
      binary: false,
    };
  }

  markEcho(name: string): OutFrame {
    return text({ event: 'mark', sequence_number: String(++this.seq), stream_id: this.streamId, mark: { name } });
  }

  dtmf(digit: string): OutFrame {
    return text({ event: 'dtmf', sequence_number: String(++this.seq), stream_id: this.streamId, occurred_at: new Date().toISOString(), dtmf: { digit } });
  }

  goodbye(): OutFrame[] {
    return [text({ event: 'stop', sequence_number: String(++this.seq), stream_id: this.streamId, stop: { user_id: 'sim', call_control_id: this.callControlId } })];
  }

  parse(data: string | Buffer, isBinary: boolean, withSamples: boolean): Incoming {
    const msg = jsonObject(data, isBinary);
    if (typeof msg === 'string') return { kind: 'error', detail: msg };
    switch (msg['event']) {
      case 'media': {
        const media = msg['media'] as Record<string, unknown> | undefined;
        const payload = media?.['payload'];
        if (typeof payload !== 'string' || payload.length === 0) return { kind: 'error', detail: 'media without payload' };
        const pcm = withSamples ? this.codec.pcmOf64(payload) : undefined;
        const n = pcm ? pcm.length : this.codec.samplesOf64(payload);
        if (n === undefined) return { kind: 'error', detail: 'media payload is not whole samples of base64' };
        if (n < this.sampleRate / 50) return { kind: 'error', detail: `media chunk of ${n} samples: Telnyx takes 20 ms to 30 s` };
        return { kind: 'audio', samples: n, pcm };
      }
      case 'mark': {
        const name = (msg['mark'] as Record<string, unknown> | undefined)?.['name'];
        return typeof name === 'string' ? { kind: 'mark', name } : { kind: 'error', detail: 'mark without mark.name' };
      }
      case 'clear':
        return { kind: 'clear' };
      default:
        return { kind: 'error', detail: `unknown event '${String(msg['event']).slice(0, 40)}'` };
    }
  }
}
