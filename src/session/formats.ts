// Which format the AI speaks for a given telephony leg.
import type { AudioFormat } from '../media/types.js';

/**
 * G.711 legs talk G.711 to the AI (passthrough, no transcoding: docs/reference/openai-realtime.md#session-configuration); PCM legs
 * talk PCM16 24 kHz, the AI's native rate, resampled by the media core.
 */
export function aiFormatFor(telephony: AudioFormat): AudioFormat {
  if (telephony.codec === 'mulaw' || telephony.codec === 'alaw') return { codec: telephony.codec, rate: 8000 };
  return { codec: 'pcm16', rate: 24000 };
}
