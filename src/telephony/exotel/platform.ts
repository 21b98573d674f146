// Exotel Voicebot (bidirectional stream): JSON text frames, PCM16LE at 8 or 16 kHz, marks echoed
// when played — a 'flushable-reports' far side (docs/reference/exotel-voicebot.md). Exotel sends
// `stop` before closing, and turns wss://KEY:TOKEN@host URLs into basic auth.
import type { Platform } from '../platform.js';
import { ReportedFarSide } from '../far-side/reported.js';
import { basicAuth } from '../token-auth.js';
import { ExotelDecoder } from './decoder.js';
import { ExotelEncoder } from './encoder.js';

export const exotel: Platform = {
  id: 'exotel',
  path: '/exotel',
  transport: 'websocket',
  farSide: 'flushable-reports',
  closeIsHangup: false,
  createDecoder: (options) => new ExotelDecoder(options),
  createEncoder: (start, options) => new ExotelEncoder(start.streamId, options),
  createFarSide: () => new ReportedFarSide(),
  authenticate: basicAuth,
};
