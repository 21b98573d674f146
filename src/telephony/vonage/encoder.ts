// Parley → Vonage: agent audio as binary L16 frames (20 ms each), each followed by a `notify`
// whose payload names it (Vonage answers `websocket:notify` once playback reaches it); a barge-in
// is `{"action":"clear"}`, which drops the audio Vonage has queued (docs/reference/vonage.md).
import type { OutboundEncoder, OutboundFrame } from '../types.js';

export class VonageEncoder implements OutboundEncoder {
  readonly protocol = 'vonage' as const;

  audio(payload: Buffer, mark?: string): OutboundFrame[] {
    return mark === undefined ? [payload] : [payload, JSON.stringify({ action: 'notify', payload: { mark } })];
  }

  clear(): OutboundFrame[] {
    return [JSON.stringify({ action: 'clear' })];
  }
}
