// Vonage Voice API WebSocket (an NCCO `connect` to a websocket endpoint): L16 8/16 kHz binary
// both ways. Vonage documents `clear` (drop queued audio) and `notify` (tell me when playback
// reaches this point), so its far side is 'flushable-reports' (docs/reference/vonage.md). Vonage
// has no signature on the WebSocket upgrade: the bearer token goes in the NCCO uri (`?token=`).
import type { Platform } from '../platform.js';
import { ReportedFarSide } from '../far-side/reported.js';
import { VonageDecoder } from './decoder.js';
import { VonageEncoder } from './encoder.js';

export const vonage: Platform = {
  id: 'vonage',
  path: '/vonage',
  transport: 'websocket',
  farSide: 'flushable-reports',
  closeIsHangup: true, // Vonage ends the leg by closing the socket; it sends no stop message
  createDecoder: (options) => new VonageDecoder(options),
  createEncoder: () => new VonageEncoder(),
  createFarSide: () => new ReportedFarSide(),
};
