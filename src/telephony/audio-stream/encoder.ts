// Parley → mod_audio_stream injection messages
// (docs/reference/mod-audio-stream.md#what-the-module-accepts): base64 PCM16LE in a `streamAudio`
// JSON text frame; a barge-in is the same message with `"clear": true` and empty audio, exactly as
// the module (and the reference bridge) expect. The module cuts the trailing partial 20 ms off any
// message of 20 ms or more, so callers should send whole 20 ms frames.
import { jsonMessage, type EncoderOptions } from '../encoder-template.js';
import type { OutboundEncoder } from '../types.js';

export class AudioStreamEncoder implements OutboundEncoder {
  readonly protocol = 'audio-stream' as const;

  private readonly message: (audioData: string) => string;

  constructor(
    private readonly sampleRate: 8000 | 16000,
    options: EncoderOptions = {},
  ) {
    this.message = jsonMessage(options.framing, (audioData) => ({ type: 'streamAudio', data: { audioDataType: 'raw', audioData, sampleRate, channels: 1 } }), true);
  }

  audio(payload: Buffer): string[] {
    return [this.message(payload.toString('base64'))];
  }

  clear(): string[] {
    return [
      JSON.stringify({
        type: 'streamAudio',
        data: { audioDataType: 'raw', audioData: '', sampleRate: this.sampleRate, channels: 1, clear: true },
      }),
    ];
  }
}
