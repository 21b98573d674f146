// Stimuli shared by several machines.
import { noticeMs } from '../../../session/notice.js';
import { MBT_TIMING } from '../sut/bridge.js';
import { platformOf } from '../../../telephony/registry.js';
import type { World } from '../world.js';

export const hangup = (w: World): void => w.caller.hangup();

/** The notice bound the runtime arms on give-up (session/call.ts: notice + lookahead + slack). */
export const NOTICE_DEADLINE_MS = noticeMs() + 80 + 2000;

export const isReconnectTimer = (t: { ms: number }): boolean => (MBT_TIMING.reconnectDelaysMs as readonly number[]).includes(t.ms);

/** Holds until `ms` of real time passed (the media thread runs in real time). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The agent's audio plays out at the far side until `machine` took PLAYOUT_DRAINED: media
 * wake-ups flow, and the far side plays what it was sent — Twilio echoes every mark (its
 * playback position is only known from marks), mod_audio_stream's buffer drains with time.
 */
export async function playOut(w: World, machine: 'turn' | 'session', timeoutMs = 5000): Promise<void> {
  const from = w.observer.log(machine).length;
  const took = () => w.observer.log(machine).slice(from).some((s) => s.event.type === 'PLAYOUT_DRAINED');
  const end = Date.now() + timeoutMs;
  while (!took()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${machine} PLAYOUT_DRAINED`);
    await w.pump(took, 'PLAYOUT_DRAINED', 40).catch(() => undefined);
    if (platformOf(w.protocol).farSide === 'flushable-reports') w.caller.echoAll();
    else w.bridge.clock.advance(40);
  }
}
