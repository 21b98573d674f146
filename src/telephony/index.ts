// Entry point of the telephony adapters: the platforms (registry.ts) and, per call, one
// decoder, encoder and far-side model made by the call's platform.
import type { AudioFormat } from '../media/types.js';
import type { FarSideOptions } from './platform.js';
import type { CallStart, DecoderOptions, FarSideModel, InboundDecoder, OutboundEncoder, TelephonyProtocol } from './types.js';
import { platformForPath, platformOf } from './registry.js';
import { TwilioDecoder } from './twilio/decoder.js';
import { TwilioEncoder } from './twilio/encoder.js';
import { TwilioMarkTracker } from './twilio/marks.js';
import { ReportedFarSide } from './far-side/reported.js';
import { UnflushableFarSide } from './far-side/unflushable.js';
import { AudioStreamDecoder } from './audio-stream/decoder.js';
import { AudioStreamEncoder } from './audio-stream/encoder.js';
import { AudioStreamFarSide } from './audio-stream/far-side.js';

export * from './types.js';
export * from './platform.js';
export { PLATFORMS, platformById, platformOf, platformForPath, websocketPaths } from './registry.js';
export { TwilioDecoder, TwilioEncoder, TwilioMarkTracker, ReportedFarSide, UnflushableFarSide, AudioStreamDecoder, AudioStreamEncoder, AudioStreamFarSide };
export { InjectBuffer } from './audio-stream/inject-buffer.js';
export type { InjectTag, InjectReadResult, InjectWriteResult, InjectBufferOptions } from './audio-stream/inject-buffer.js';

/** URL path → platform id (docs/ARCHITECTURE.md#outside-contract: /twilio, /audio-stream, …). */
export function protocolForPath(pathname: string): TelephonyProtocol | undefined {
  return platformForPath(pathname)?.id;
}

export function createDecoder(protocol: TelephonyProtocol, options: DecoderOptions): InboundDecoder {
  return platformOf(protocol).createDecoder(options);
}

/** Needs the start event: Twilio messages carry its streamSid, audio-stream its sample rate. */
export function createEncoder(protocol: TelephonyProtocol, start: CallStart): OutboundEncoder {
  return platformOf(protocol).createEncoder(start);
}

export function createFarSideModel(protocol: TelephonyProtocol, format: AudioFormat, options: FarSideOptions = {}): FarSideModel {
  return platformOf(protocol).createFarSide(format, options);
}

/** Duration of `bytes` of audio in `format` (µ-law/A-law 1 B per sample, PCM16 2 B). */
export function bytesToMs(format: AudioFormat, bytes: number): number {
  return (bytes / (format.rate * (format.codec === 'pcm16' ? 2 : 1))) * 1000;
}

export function msToBytes(format: AudioFormat, ms: number): number {
  return Math.round((ms * format.rate * (format.codec === 'pcm16' ? 2 : 1)) / 1000);
}
