// Which leg (the platform's side of the wire) a simulated call plays, from its protocol and
// options: one line a platform in CALLER_LEGS (docs/ARCHITECTURE.md#adding-a-platform).
import type { AudioFormat } from '../../../media/types.js';
import type { TelephonyProtocol } from '../../../telephony/types.js';
import { AsteriskLeg } from './leg-asterisk.js';
import { ExotelLeg } from './leg-exotel.js';
import { PlivoLeg } from './leg-plivo.js';
import { TelnyxLeg } from './leg-telnyx.js';
import { AudioStreamLeg, TwilioLeg, type Leg } from './legs.js';
import { VonageLeg } from './vonage-leg.js';
import type { SimCallOptions } from './types.js';

/** The wire format a platform leg offers: `codec` if given, else µ-law at 8 kHz and L16 at 16 kHz. */
export function legFormat(options: SimCallOptions): AudioFormat {
  const rate = options.sampleRate ?? 8000;
  const codec = options.codec ?? (rate === 16000 ? 'pcm16' : 'mulaw');
  if (codec !== 'pcm16' && rate !== 8000) throw new Error(`${codec} runs at 8000 Hz only`);
  return { codec, rate };
}

export type LegMaker = (options: SimCallOptions, callId: string, params: Readonly<Record<string, string>>) => Leg;

/** The caller emulator of each WebSocket platform, by its id (= its URL path's last segment). */
export const CALLER_LEGS: Readonly<Record<string, LegMaker>> = {
  twilio: (_o, callId, params) => new TwilioLeg(callId, params),
  'audio-stream': (o, callId) => {
    const rate = o.sampleRate ?? 8000;
    return new AudioStreamLeg(rate, o.metadata === undefined ? { callId, sampleRate: rate } : o.metadata);
  },
  telnyx: (o, callId, params) => new TelnyxLeg(`v3:${callId}`, legFormat(o), params),
  plivo: (o, callId, params) => {
    const f = legFormat(o);
    if (f.codec === 'alaw') throw new Error('Plivo streams carry audio/x-mulaw or audio/x-l16, not A-law');
    return new PlivoLeg(callId, f, params);
  },
  exotel: (o, callId, params) => new ExotelLeg(callId, o.sampleRate ?? 8000, params),
  asterisk: (o, callId) => new AsteriskLeg(callId, legFormat(o)),
  vonage: (o, callId, params) => new VonageLeg(o.sampleRate ?? 8000, callId, params),
  signalwire: (_o, callId, params) => new TwilioLeg(callId, params), // the same wire as Twilio's
};

/** Protocols the simulated caller can play over WebSocket (AudioSocket is TCP: audiosocket-run.ts). */
export const SIM_PROTOCOLS: readonly string[] = Object.keys(CALLER_LEGS);

export function protocolOf(url: string, explicit?: TelephonyProtocol): TelephonyProtocol {
  if (explicit) return explicit;
  const last = new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? '';
  return SIM_PROTOCOLS.includes(last) ? last : 'twilio';
}

export function createLeg(protocol: TelephonyProtocol, options: SimCallOptions, callId: string): Leg {
  const make = Object.hasOwn(CALLER_LEGS, protocol) ? CALLER_LEGS[protocol] : undefined;
  if (!make) throw new Error(`sim-call cannot play '${protocol}' (known: ${SIM_PROTOCOLS.join(', ')})`);
  return make(options, callId, options.customParameters ?? {});
}
