// Parley → Asterisk AudioSocket: agent audio as slin messages (binary); no clear exists — what
// was handed over plays — so a barge-in sends nothing (the far side is 'unflushable'); the
// goodbye is the hang-up message (0x00, empty), before the socket is closed.
import type { OutboundEncoder, OutboundFrame } from '../types.js';
import { KIND, MAX_PAYLOAD, message } from './wire.js';

export class AudioSocketEncoder implements OutboundEncoder {
  readonly protocol = 'audiosocket' as const;

  audio(payload: Buffer): OutboundFrame[] {
    const out: Buffer[] = [];
    for (let at = 0; at < payload.length; at += MAX_PAYLOAD - 1) out.push(message(KIND.slin, payload.subarray(at, at + MAX_PAYLOAD - 1)));
    return out;
  }

  clear(): OutboundFrame[] {
    return [];
  }

  goodbye(): OutboundFrame[] {
    return [message(KIND.hangup)];
  }
}
