// Entry point of the telephony adapters: one decoder, encoder and far-side model per call.
import type { AudioFormat } from '../media/types.js';
import type { CallStart, DecoderOptions, FarSideModel, InboundDecoder, OutboundEncoder, TelephonyProtocol } from './types.js';
import { TwilioDecoder } from './twilio/decoder.js';
import { TwilioEncoder } from './twilio/encoder.js';
import { TwilioMarkTracker } from './twilio/marks.js';
import { AudioStreamDecoder } from './audio-stream/decoder.js';
import { AudioStreamEncoder } from './audio-stream/encoder.js';
import { AudioStreamFarSide } from './audio-stream/far-side.js';

export * from './types.js';
export { TwilioDecoder, TwilioEncoder, TwilioMarkTracker, AudioStreamDecoder, AudioStreamEncoder, AudioStreamFarSide };
export { InjectBuffer } from './audio-stream/inject-buffer.js';
export type { InjectTag, InjectReadResult, InjectWriteResult, InjectBufferOptions } from './audio-stream/inject-buffer.js';

/** URL path → protocol (docs/ARCHITECTURE.md#outside-contract: /twilio, /audio-stream). */
export function protocolForPath(pathname: string): TelephonyProtocol | undefined {
  if (pathname === '/twilio') return 'twilio';
  if (pathname === '/audio-stream') return 'audio-stream';
  return undefined;
}

export function createDecoder(protocol: TelephonyProtocol, options: DecoderOptions): InboundDecoder {
  return protocol === 'twilio' ? new TwilioDecoder(options) : new AudioStreamDecoder(options);
}

/** Needs the start event: Twilio messages carry its streamSid, audio-stream its sample rate. */
export function createEncoder(protocol: TelephonyProtocol, start: CallStart): OutboundEncoder {
  if (protocol === 'twilio') return new TwilioEncoder(start.streamId);
  return new AudioStreamEncoder(start.format.rate === 16000 ? 16000 : 8000);
}

export interface FarSideOptions {
  /** audio-stream: STREAM_INJECT_BUFFER_MS (default 5000). */
  readonly moduleBufferMs?: number;
  /** audio-stream: STREAM_INJECT_MIN_BUFFER_MS (default 60). */
  readonly moduleMinFillMs?: number;
}

export function createFarSideModel(protocol: TelephonyProtocol, format: AudioFormat, options: FarSideOptions = {}): FarSideModel {
  if (protocol === 'twilio') return new TwilioMarkTracker();
  return new AudioStreamFarSide({
    sampleRate: format.rate,
    ...(options.moduleBufferMs !== undefined ? { capacityMs: options.moduleBufferMs } : {}),
    ...(options.moduleMinFillMs !== undefined ? { minFillMs: options.moduleMinFillMs } : {}),
  });
}

/** Duration of `bytes` of audio in `format` (µ-law/A-law 1 B per sample, PCM16 2 B). */
export function bytesToMs(format: AudioFormat, bytes: number): number {
  return (bytes / (format.rate * (format.codec === 'pcm16' ? 2 : 1))) * 1000;
}

export function msToBytes(format: AudioFormat, ms: number): number {
  return Math.round((ms * format.rate * (format.codec === 'pcm16' ? 2 : 1)) / 1000);
}
