// The turn machine's actions (machines/turn.ts header), one function each.
import { bytesPerMs } from '../../base/audio.js';
import { truncate as truncateCommand } from '../../ai/openai/commands.js';
import type { TurnContext, TurnEvent } from '../../../machines/turn.js';
import type { CallParts } from '../parts.js';
import { audioOf, type TurnEffects } from './types.js';

export function turnEffects(c: CallParts): TurnEffects {
  const { metrics } = c.deps;
  return {
    /** Writes the delta's audio (it travels with the event) to the playout ring. */
    enqueueAudio(ctx: TurnContext, ev: Extract<TurnEvent, { type: 'AUDIO_DELTA' }>) {
      const audio = audioOf(ev);
      const o = c.open;
      if (!audio || !o) return;
      const item = c.items.numberOf(ev.itemId, c.link?.clientGen);
      c.items.addReceived(item, audio.length / bytesPerMs(o.aiFormat));
      c.playout.firstQueuedItem ??= item;
      if (ev.responseId === ctx.heldResponse) c.greeting.item = item;
      if (c.speechStoppedAt !== undefined) {
        metrics.aiFirstAudio.observe((c.now() - c.speechStoppedAt) / 1000);
        c.observer.firstAudio(c.now() - c.speechStoppedAt);
        c.speechStoppedAt = undefined;
      }
      o.playoutFeed.write(audio, { epoch: o.media.epoch, item });
    },

    dropStaleAudio(ev: TurnEvent) {
      const bytes = audioOf(ev)?.length ?? 0;
      const fmt = c.open?.aiFormat;
      c.drop('cancelled_response', 1, fmt ? bytes / bytesPerMs(fmt) / 1000 : 0);
    },

    forwardText() {
      // Transcripts are kept for the reconnect replay (transcript_done); nothing is spoken here.
    },

    dropStaleText() {
      c.drop('cancelled_response', 1, 0);
    },

    /** Posts the flush of the old epoch to the media thread; routes FLUSH to the playout machine. */
    requestFlush(ctx: TurnContext) {
      const o = c.open;
      if (!o) return false;
      const next = o.media.epoch + 1;
      if (next % ctx.epochModulus !== ctx.epoch) c.log.error({ media: next, turn: ctx.epoch }, 'playout epoch out of step with the turn machine');
      o.media.requestFlush(next);
      o.playoutFeed.flush();
      c.playout.drainPending = undefined;
      c.playout.playingItem = undefined;
      c.playout.firstQueuedItem = undefined;
      if (c.bargeIn) c.bargeIn.flushRequestedAt = c.now();
      return undefined;
    },

    sendClear() {
      const now = c.now();
      c.open?.out.clear(now);
      c.observer.cleared(now);
      if (c.bargeIn) c.bargeIn.clearAt = now;
    },

    sendCancel(ctx: TurnContext) {
      if (ctx.cancelledResponse === null) return;
      const r = c.open?.ai.cancelResponse(ctx.cancelledResponse);
      c.trace.record('ai', 'cancel', { data: { responseId: ctx.cancelledResponse, result: r ?? 'no_client' } });
    },

    sendTruncate(ctx: TurnContext) {
      const t = ctx.truncate;
      const ai = c.open?.ai;
      if (!t || !ai) return;
      // An item exists only in the conversation of the connection that produced it: after a
      // reconnect the new session has never heard of it (the provider would refuse the request).
      const source = c.items.sourceOf(t.itemId);
      if (source !== undefined && source !== c.link?.clientGen) {
        c.trace.record('ai', `${t.op}.skipped`, { data: { itemId: t.itemId, audioEndMs: t.ms, why: 'item of an earlier connection' } });
        return;
      }
      // The event id names the call, so a provider error about it (echoed with its event_id) and
      // an agent's record of it can be tied back to the call.
      const eventId = `${c.callId}.${t.op}.${++c.controlSeq}`;
      const r =
        t.op === 'truncate'
          ? ai.sendRaw({ ...truncateCommand(t.itemId, t.ms), event_id: eventId })
          : ai.sendRaw({ type: 'conversation.item.delete', item_id: t.itemId, event_id: eventId });
      c.trace.record('ai', t.op, { data: { itemId: t.itemId, audioEndMs: t.ms, result: r } });
    },

    reportBargeIn(ctx: TurnContext) {
      const b = c.bargeIn;
      metrics.bargeIns.inc({ protocol: c.protocol });
      const t = ctx.truncate;
      c.observer.bargeIn(t ? { itemId: t.itemId, ms: t.op === 'truncate' ? t.ms : 0 } : null, c.now());
      if (!b) return;
      // Parley's part of the cut-off: speech_started in → clear out (no older frame leaves after).
      const cutoffMs = (b.clearAt ?? c.now()) - b.speechAt;
      metrics.cutoffLatency.observe(cutoffMs / 1000);
      c.trace.record('runtime', 'barge_in', { data: { cutoffMs, epoch: ctx.epoch, truncate: ctx.truncate } });
    },

    dropStaleMark() {
      // A mark echoed for a cleared epoch: it says nothing about what was heard (BI4).
    },
  };
}
