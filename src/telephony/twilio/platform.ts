// Twilio Media Streams (bidirectional <Connect><Stream>): JSON text frames, µ-law 8 kHz, marks
// echoed when played — a 'flushable-reports' far side (docs/reference/twilio-media-streams.md).
import type { Platform } from '../platform.js';
import { ReportedFarSide } from '../far-side/reported.js';
import { TwilioDecoder } from './decoder.js';
import { TwilioEncoder } from './encoder.js';
import { checkTwilioSignature } from './signature.js';

export const twilio: Platform = {
  id: 'twilio',
  path: '/twilio',
  transport: 'websocket',
  farSide: 'flushable-reports',
  closeIsHangup: false, // Twilio says `stop` first; a bare close is a failure
  createDecoder: (options) => new TwilioDecoder(options),
  createEncoder: (start, options) => new TwilioEncoder(start.streamId, options),
  createFarSide: () => new ReportedFarSide(),
  // Twilio cannot send a bearer header (and drops query strings from <Stream> URLs): its request
  // signature, keyed with the account's auth token, stands in for it when configured.
  authenticate(req, ctx) {
    const token = ctx.secret('PARLEY_TWILIO_AUTH_TOKEN');
    if (!token) return undefined;
    const check = checkTwilioSignature(req, token, ctx.publicUrl);
    if (check === 'valid') return { result: 'valid' };
    if (check === 'missing') return { result: 'missing' };
    return { result: 'invalid', detail: 'X-Twilio-Signature does not match (check PARLEY_TWILIO_AUTH_TOKEN and PARLEY_PUBLIC_URL)' };
  },
};
