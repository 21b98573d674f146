// Plivo Audio Streams (bidirectional): JSON text frames, µ-law or L16, checkpoints answered by
// playedStream once played (a clear drops them unanswered) — a 'flushable-reports' far side
// (docs/reference/plivo-audio-streams.md). Plivo ends a stream by closing; it can present
// Parley's token only in the stream URL (?token=), which the bearer check already reads.
import type { Platform } from '../platform.js';
import { ReportedFarSide } from '../far-side/reported.js';
import { PlivoDecoder } from './decoder.js';
import { PlivoEncoder } from './encoder.js';

export const plivo: Platform = {
  id: 'plivo',
  path: '/plivo',
  transport: 'websocket',
  farSide: 'flushable-reports',
  closeIsHangup: true,
  createDecoder: (options) => new PlivoDecoder(options),
  createEncoder: (start, options) => new PlivoEncoder(start.streamId, start.format, options),
  createFarSide: () => new ReportedFarSide(),
};
