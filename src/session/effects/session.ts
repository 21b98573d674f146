// The session machine's actions (machines/session.ts header), one function each.
import type { CallEndReason } from '../../obs/index.js';
import type { EndReason, SessionTimer } from '../../../machines/session.js';
import { onAiEvent } from '../in/ai.js';
import { publishPlayoutState } from '../in/media.js';
import { noticeAudio, noticeMs } from '../notice.js';
import { openCallParts } from '../open.js';
import type { CallParts } from '../parts.js';
import type { SessionEffects } from './types.js';

/** The give-up notice may take this much longer than its length to play out. */
export const NOTICE_SLACK_MS = 2000;
/** A socket that does not close after its goodbye is terminated this much later. */
export const CLOSE_BACKSTOP_MS = 2000;

const END_REASON: Readonly<Record<EndReason, CallEndReason>> = {
  hangup: 'hangup',
  stop: 'stop',
  socketError: 'socket_error',
  shutdown: 'shutdown',
  aiGaveUp: 'ai_gave_up',
};

export function sessionEffects(c: CallParts): SessionEffects {
  const { config, metrics, clock } = c.deps;
  return {
    /** Opens the media call, far-side model, encoder, both feeds and the AI client; routes START. */
    startAiLink() {
      if (!c.start) return false;
      try {
        c.open = openCallParts(c, c.start);
      } catch (err) {
        c.log.error({ err: err instanceof Error ? err.message : String(err) }, 'media core refused the call');
        c.endOverride = 'error';
        queueMicrotask(() => c.actors.session.send({ type: 'STOP' }));
        return false;
      }
      publishPlayoutState(c);
      const ai = c.open.ai;
      c.aiUnsubscribe = ai.on((ev) => onAiEvent(c, ev));
      return undefined;
    },

    startTimer(timer: SessionTimer) {
      c.sessionTimers.get(timer)?.cancel();
      const ms = timer === 'drainDeadline' ? config.shutdown.drainMs : noticeMs() + config.media.lookaheadMs + NOTICE_SLACK_MS;
      c.sessionTimers.set(
        timer,
        clock.setTimer(ms, () => {
          c.sessionTimers.delete(timer);
          c.actors.session.send({ type: 'TIMER_FIRED', timer });
        }),
      );
    },

    /** Queues the give-up notice; without one (or no media) the "notice" has drained at once. */
    playNotice() {
      metrics.reconnects.inc({ outcome: 'gave_up' });
      const o = c.open;
      if (config.reconnect.giveUpNotice === 'none' || !o) {
        queueMicrotask(() => c.actors.session.send({ type: 'PLAYOUT_DRAINED' }));
        return false;
      }
      c.playout.noticeQueued = true;
      const item = c.items.anonymous('notice');
      o.playoutFeed.write(noticeAudio(o.aiFormat), { epoch: o.media.epoch, item });
      return undefined;
    },

    beginCleanup() {
      c.cleanupBegun = true;
      c.callControl.dispose();
      c.startTimeout?.cancel();
    },

    cancelTimers() {
      for (const t of c.sessionTimers.values()) t.cancel();
      c.sessionTimers.clear();
    },

    closeTelephony(reason: string | null) {
      const ws = c.conn.ws;
      if (ws.readyState !== ws.OPEN && ws.readyState !== ws.CONNECTING) return;
      c.open?.out.goodbye();
      // The protocol's goodbye: closing the socket ends a Twilio stream (TwiML resumes) and a
      // mod_audio_stream session alike; 1001 says the server is going away.
      if (reason === 'shutdown') ws.close(1001, 'server shutting down');
      else if (c.endOverride === 'error') ws.close(1011, 'internal error');
      else ws.close(1000, c.endOverride ?? reason ?? 'call ended');
      clock.setTimer(CLOSE_BACKSTOP_MS, () => ws.terminate());
    },

    stopAiLink() {
      // Only the route: the aiLink machine stops itself (and answers AI_STOPPED).
    },

    requestMediaRelease() {
      const media = c.open?.media;
      if (!media) {
        queueMicrotask(() => c.actors.session.send({ type: 'MEDIA_RELEASED' }));
        return;
      }
      media.close().then(
        () => c.actors.session.send({ type: 'MEDIA_RELEASED' }),
        (err: unknown) => {
          c.log.error({ err: String(err) }, 'media release failed');
          c.actors.session.send({ type: 'MEDIA_RELEASED' });
        },
      );
    },

    freeCall() {
      c.aiUnsubscribe?.();
      c.aiUnsubscribe = undefined;
      c.reconnectTimer?.cancel();
      c.open?.playoutFeed.flush();
      c.open?.captureFeed.discard('closed');
    },

    reportEnded(reason: string | null) {
      const r = c.endOverride ?? END_REASON[(reason ?? 'stop') as EndReason] ?? 'error';
      metrics.callsEnded.inc({ protocol: c.protocol, reason: r });
      c.trace.record('runtime', 'call.ended', { data: { reason: r } });
      c.log.info({ reason: r, framesOut: c.open?.out.framesSent ?? 0 }, 'call ended');
      c.observer.ended(r, c.now());
      c.finish();
    },
  };
}
