// Binary audio frames as media events, for the platforms that send raw audio in binary
// WebSocket frames (mod_audio_stream, chan_websocket, Vonage): the same refusals (empty, not
// whole 16-bit samples) and the same numbering and timestamps (from the audio before the frame).
import type { AudioFormat } from '../media/types.js';
import type { InboundEvent, Rejection } from './types.js';
import { reject } from './frames.js';

export class BinaryMedia {
  private frames = 0;
  private bytes = 0;

  /** Why a frame is not audio, or undefined when it is. */
  refuse(payload: Buffer, format: AudioFormat): Rejection | undefined {
    if (payload.length === 0) return reject('empty_audio', 'binary frame is empty');
    if (format.codec === 'pcm16' && payload.length % 2 !== 0) return reject('odd_length_pcm', `PCM16 frame of odd length ${payload.length}`);
    return undefined;
  }

  /** The media event of an accepted frame: numbered from 1, stamped at the audio before it. */
  media(payload: Buffer, format: AudioFormat): InboundEvent {
    const timestampMs = (this.bytes / (format.rate * (format.codec === 'pcm16' ? 2 : 1))) * 1000;
    this.bytes += payload.length;
    return { kind: 'media', payload, seq: ++this.frames, timestampMs };
  }
}
