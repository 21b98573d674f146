// Telnyx Media Streaming (bidirectional, RTP mode): JSON text frames, PCMU/PCMA/L16, marks echoed
// when played and returned by clear — a 'flushable-reports' far side
// (docs/reference/telnyx-media-streaming.md). Telnyx sends `stop` before closing; its stream
// auth token arrives in the x-telnyx-streaming-auth-token header.
import type { Platform } from '../platform.js';
import { ReportedFarSide } from '../far-side/reported.js';
import { headerTokenAuth } from '../token-auth.js';
import { TelnyxDecoder } from './decoder.js';
import { TelnyxEncoder } from './encoder.js';

export const telnyx: Platform = {
  id: 'telnyx',
  path: '/telnyx',
  transport: 'websocket',
  farSide: 'flushable-reports',
  closeIsHangup: false,
  createDecoder: (options) => new TelnyxDecoder(options),
  createEncoder: (start, options) => new TelnyxEncoder(start.format, options),
  createFarSide: () => new ReportedFarSide(),
  authenticate: headerTokenAuth('x-telnyx-streaming-auth-token'),
};
