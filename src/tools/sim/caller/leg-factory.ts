// Which leg (the platform's side of the wire) a simulated call plays, from its protocol and options.
import type { AudioFormat } from '../../../media/types.js';
import type { TelephonyProtocol } from '../../../telephony/types.js';
import { AsteriskLeg } from './leg-asterisk.js';
import { ExotelLeg } from './leg-exotel.js';
import { PlivoLeg } from './leg-plivo.js';
import { TelnyxLeg } from './leg-telnyx.js';
import { AudioStreamLeg, TwilioLeg, type Leg } from './legs.js';
import { VonageLeg } from './vonage-leg.js';
import type { SimCallOptions } from './types.js';

/** Protocols the simulated caller can play, by their URL path's last segment. */
export const SIM_PROTOCOLS = ['twilio', 'audio-stream', 'telnyx', 'plivo', 'exotel', 'asterisk', 'vonage'] as const;

export function protocolOf(url: string, explicit?: TelephonyProtocol): TelephonyProtocol {
  if (explicit) return explicit;
  const last = new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '';
  return (SIM_PROTOCOLS as readonly string[]).includes(last) ? last : 'twilio';
}

/** The wire format a platform leg offers: `codec` if given, else µ-law at 8 kHz and L16 at 16 kHz. */
function legFormat(options: SimCallOptions): AudioFormat {
  const rate = options.sampleRate ?? 8000;
  const codec = options.codec ?? (rate === 16000 ? 'pcm16' : 'mulaw');
  if (codec !== 'pcm16' && rate !== 8000) throw new Error(`${codec} runs at 8000 Hz only`);
  return { codec, rate };
}

export function createLeg(protocol: TelephonyProtocol, options: SimCallOptions, callId: string): Leg {
  const params = options.customParameters ?? {};
  switch (protocol) {
    case 'twilio':
      return new TwilioLeg(callId, params);
    case 'audio-stream': {
      const rate = options.sampleRate ?? 8000;
      return new AudioStreamLeg(rate, options.metadata === undefined ? { callId, sampleRate: rate } : options.metadata);
    }
    case 'telnyx':
      return new TelnyxLeg(`v3:${callId}`, legFormat(options), params);
    case 'plivo': {
      const f = legFormat(options);
      if (f.codec === 'alaw') throw new Error('Plivo streams carry audio/x-mulaw or audio/x-l16, not A-law');
      return new PlivoLeg(callId, f, params);
    }
    case 'exotel':
      return new ExotelLeg(callId, options.sampleRate ?? 8000, params);
    case 'asterisk':
      return new AsteriskLeg(callId, legFormat(options));
    case 'vonage': {
      const rate = options.sampleRate ?? 8000;
      return new VonageLeg(rate, callId, params);
    }
    default:
      throw new Error(`sim-call cannot play '${protocol}' (known: ${SIM_PROTOCOLS.join(', ')})`);
  }
}
