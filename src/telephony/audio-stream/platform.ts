// FreeSWITCH mod_audio_stream (bidirectional fork): binary L16 in, JSON `streamAudio` out, no play
// reports — a 'flushable-model' far side: Parley simulates the module's inject buffer
// (docs/reference/mod-audio-stream.md). The module ends a call by closing the socket.
import type { Platform } from '../platform.js';
import { AudioStreamDecoder } from './decoder.js';
import { AudioStreamEncoder } from './encoder.js';
import { AudioStreamFarSide } from './far-side.js';

export const audioStream: Platform = {
  id: 'audio-stream',
  path: '/audio-stream',
  transport: 'websocket',
  farSide: 'flushable-model',
  closeIsHangup: true,
  createDecoder: (options) => new AudioStreamDecoder(options),
  createEncoder: (start, options) => new AudioStreamEncoder(start.format.rate === 16000 ? 16000 : 8000, options),
  createFarSide: (format, options) =>
    new AudioStreamFarSide({
      sampleRate: format.rate,
      ...(options.moduleBufferMs !== undefined ? { capacityMs: options.moduleBufferMs } : {}),
      ...(options.moduleMinFillMs !== undefined ? { minFillMs: options.moduleMinFillMs } : {}),
    }),
};
