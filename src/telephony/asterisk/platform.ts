// Asterisk chan_websocket (Asterisk dials out to Parley): binary media in the negotiated codec,
// text control; MARK_MEDIA answered by MEDIA_MARK_PROCESSED when played, FLUSH_MEDIA drops the
// queue and its marks — a 'flushable-reports' far side, paced by the driver's own timer
// (docs/reference/asterisk-chan-websocket.md). Asterisk hangs up by closing; websocket_client.conf
// credentials arrive as basic auth.
import type { Platform } from '../platform.js';
import { ReportedFarSide } from '../far-side/reported.js';
import { basicAuth } from '../token-auth.js';
import { AsteriskDecoder } from './decoder.js';
import { AsteriskEncoder } from './encoder.js';

export const asterisk: Platform = {
  id: 'asterisk',
  path: '/asterisk',
  transport: 'websocket',
  farSide: 'flushable-reports',
  closeIsHangup: true,
  createDecoder: (options) => new AsteriskDecoder(options),
  createEncoder: (start) => new AsteriskEncoder(start),
  createFarSide: () => new ReportedFarSide(),
  authenticate: basicAuth,
};
