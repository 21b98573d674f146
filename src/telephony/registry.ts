// Every telephony platform Parley speaks, one line each. Adding a platform: its folder
// (src/telephony/<platform>/, with platform.ts), one line here, its tests
// (docs/ARCHITECTURE.md#adding-a-platform).
import type { Platform } from './platform.js';
import { twilio } from './twilio/platform.js';
import { audioStream } from './audio-stream/platform.js';
import { audiosocket } from './audiosocket/platform.js';
import { telnyx } from './telnyx/platform.js';
import { plivo } from './plivo/platform.js';
import { exotel } from './exotel/platform.js';
import { asterisk } from './asterisk/platform.js';
import { vonage } from './vonage/platform.js';
import { signalwire } from './signalwire/platform.js';

export const PLATFORMS: readonly Platform[] = [
  twilio,
  audioStream,
  audiosocket,
  telnyx,
  plivo,
  exotel,
  asterisk,
  vonage,
  signalwire,
];

const byId = new Map(PLATFORMS.map((p) => [p.id, p]));
const byPath = new Map(PLATFORMS.filter((p) => p.transport === 'websocket').map((p) => [p.path, p]));

export function platformById(id: string): Platform | undefined {
  return byId.get(id);
}

/** The platform for a known id; throws on an unknown one (a programming error, not input). */
export function platformOf(id: string): Platform {
  const p = byId.get(id);
  if (!p) throw new Error(`unknown telephony platform '${id}' (known: ${[...byId.keys()].join(', ')})`);
  return p;
}

/** The WebSocket platform at a URL path ('/twilio'), if any. */
export function platformForPath(pathname: string): Platform | undefined {
  return byPath.get(pathname);
}

/** The WebSocket paths, for messages ("use /twilio, /audio-stream, …"). */
export function websocketPaths(): string[] {
  return [...byPath.keys()];
}
