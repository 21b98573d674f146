// SignalWire (cXML <Connect><Stream>, bidirectional): Twilio-compatible JSON text frames, µ-law
// 8 kHz, marks echoed when played, `clear` drops the queue — a 'flushable-reports' far side
// (REFERENCE.md). SignalWire says `stop` before closing. Its `authBearerToken` attribute arrives
// as `Authorization: Bearer` on the upgrade: the bridge's bearer check reads it as it is.
import type { Platform } from '../platform.js';
import type { OutboundEncoder } from '../types.js';
import { ReportedFarSide } from '../far-side/reported.js';
import { TwilioEncoder } from '../twilio/encoder.js';
import { SignalWireDecoder } from './decoder.js';

/** Twilio's media / mark / clear messages, under SignalWire's id. */
function signalWireEncoder(streamSid: string): OutboundEncoder {
  const twilio = new TwilioEncoder(streamSid);
  return { protocol: 'signalwire', audio: (payload, mark) => twilio.audio(payload, mark), clear: () => twilio.clear() };
}

export const signalwire: Platform = {
  id: 'signalwire',
  path: '/signalwire',
  transport: 'websocket',
  farSide: 'flushable-reports',
  closeIsHangup: false,
  createDecoder: (options) => new SignalWireDecoder(options),
  createEncoder: (start) => signalWireEncoder(start.streamId),
  createFarSide: () => new ReportedFarSide(),
};
