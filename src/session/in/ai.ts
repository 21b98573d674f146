// AI client events → machine events. Every event names the client generation of the socket it
// came from; only the current connection's events reach the turn machine (the generation
// check), and the link's own open/close/error events carry the machine generation they map to
// (or STALE_GENERATION, which matches no guard: AL1).
import { bytesPerMs } from '../../base/audio.js';
import { FRAME_MS } from '../../media/types.js';
import type { AiEvent } from '../../ai/types.js';
import type { AudioDeltaEvent } from '../effects/types.js';
import type { CallParts } from '../parts.js';
import { endResponseOnceWritten } from './media.js';

/** Events a stale AI generation carries are translated to this (never matches a guard). */
export const STALE_GENERATION = -1;

export function generationOf(c: CallParts, ev: AiEvent): number {
  return c.link !== undefined && ev.gen === c.link.clientGen ? c.link.machineGen : STALE_GENERATION;
}

/** The playout position of the item playing (or queued first), for SPEECH_STARTED. */
export function playoutPosition(c: CallParts, now: number): { itemId: string | null; deliveredMs: number; sentMs: number; heldUnheardMs: number } {
  const item = c.playout.playingItem ?? c.playout.firstQueuedItem;
  const itemId = item === undefined ? undefined : c.items.idOf(item);
  const far = c.open?.farSide;
  const heldUnheardMs = heldUnheard(c, now);
  if (item === undefined || itemId === undefined || !far) return { itemId: null, deliveredMs: 0, sentMs: 0, heldUnheardMs };
  return { itemId, deliveredMs: far.heardMs(item, now), sentMs: c.items.received(item), heldUnheardMs };
}

/**
 * Milliseconds of the non-interruptible greeting received but not yet heard by the caller (the
 * far side's account: Twilio's echoed marks, mod_audio_stream's modelled buffer); a last frame's
 * worth is the padding of the short final frame, not speech.
 */
export function heldUnheard(c: CallParts, now: number): number {
  const item = c.greeting.item;
  const far = c.open?.farSide;
  if (c.turnCtx().heldResponse === null || item === undefined || !far) return 0;
  const left = c.items.received(item) - far.heardMs(item, now);
  return left > FRAME_MS ? Math.round(left) : 0;
}

export function onAiEvent(c: CallParts, ev: AiEvent): void {
  if (onLinkEvent(c, ev)) return;
  if (generationOf(c, ev) === STALE_GENERATION) {
    c.trace.record('ai', 'stale', { data: { type: ev.type, gen: ev.gen } });
    return;
  }
  onCurrentEvent(c, ev);
}

/** Events about the connection itself, of any generation. True when handled. */
function onLinkEvent(c: CallParts, ev: AiEvent): boolean {
  const { metrics } = c.deps;
  const aiLink = c.actors.aiLink;
  switch (ev.type) {
    case 'open':
      c.trace.record('ai', 'open', { data: { gen: ev.gen } });
      return true;
    case 'session_created': {
      // The link is open once the provider has created the session (its first event): an
      // error or close before it is a failed connect (AI_ERROR / AI_CLOSE while connecting).
      // The provider's session id ties the call to the provider's side (support, chaos runs).
      const gen = generationOf(c, ev);
      c.trace.record('ai', 'session_created', { data: { gen: ev.gen, sessionId: ev.sessionId.slice(0, 80) } });
      if (gen !== STALE_GENERATION && aiLink.getSnapshot().context.everOpened) {
        metrics.reconnects.inc({ outcome: 'success' });
        c.observer.reconnected();
      }
      aiLink.send({ type: 'AI_OPEN', generation: gen });
      return true;
    }
    case 'closed': {
      const gen = generationOf(c, ev);
      const fatal = ev.error?.severity === 'fatal';
      c.trace.record('ai', 'closed', { data: { gen: ev.gen, code: ev.code, error: ev.error?.code, fatal } });
      // Caller audio batched for this socket when it went: lost to the gap (or to the call's end).
      const fmt = c.open?.aiFormat;
      if (ev.droppedAudioBytes > 0 && fmt) c.drop(c.cleanupBegun ? 'closed' : 'reconnect_gap', 1, ev.droppedAudioBytes / bytesPerMs(fmt) / 1000);
      if (gen !== STALE_GENERATION && !c.cleanupBegun) c.log.warn({ code: ev.code, error: ev.error?.code }, 'AI connection closed');
      aiLink.send({ type: 'AI_CLOSE', generation: gen, fatal });
      return true;
    }
    case 'ignored':
      // Malformed or unknown provider input, whatever its generation: counted, never acted on.
      metrics.aiIgnored.inc({ reason: ev.why });
      c.trace.record('ai', 'ignored', { data: { why: ev.why, serverType: ev.serverType.slice(0, 80) } });
      return true;
    case 'error': {
      const { severity, code, message } = ev.error;
      metrics.aiErrors.inc({ kind: severity });
      c.trace.record('ai', 'error', { data: { gen: ev.gen, severity, code } });
      if (severity === 'benign') {
        c.log.debug({ code, message }, 'AI refused a request (benign)');
        return true;
      }
      c.log.warn({ code, message, severity }, 'AI error');
      aiLink.send({ type: 'AI_ERROR', generation: generationOf(c, ev), fatal: severity === 'fatal' });
      return true;
    }
    default:
      return false;
  }
}

/** Conversation events of the current connection. */
function onCurrentEvent(c: CallParts, ev: AiEvent): void {
  const turn = c.actors.turn;
  c.observer.aiEvent(ev, c.open?.aiFormat, c.now());
  switch (ev.type) {
    case 'speech_started': {
      const now = c.now();
      c.trace.record('ai', 'speech_started', { data: { itemId: ev.itemId } });
      c.callControl.callerActivity();
      // The call is ending: caller speech neither cuts the goodbye nor revives the conversation.
      if (c.callControl.closing) {
        c.trace.record('runtime', 'barge_in.ignored', { data: { why: 'call_closing' } });
        return;
      }
      c.bargeIn = { speechAt: now };
      c.toolCalls.onCallerTurn();
      turn.send({ type: 'SPEECH_STARTED', ...playoutPosition(c, now) });
      return;
    }
    case 'speech_stopped':
      c.speechStoppedAt = c.now();
      c.trace.record('ai', 'speech_stopped', { data: { itemId: ev.itemId } });
      turn.send({ type: 'SPEECH_STOPPED' });
      return;
    case 'response_created': {
      // The first response after a non-interruptible greeting's response.create is the greeting.
      const hold = c.greeting.holdPending;
      c.greeting.holdPending = false;
      c.trace.record('ai', 'response_created', { data: { responseId: ev.responseId, ...(hold ? { hold } : {}) } });
      if (c.toolCalls.responses.created(ev.responseId, ev.metadata) === 'superseded') {
        // Asked for with tool outputs, but the caller began a newer turn before it was created:
        // never heard (TC4). Cancelled; the turn machine never takes it, so its deltas are dropped
        // and counted as a cancelled response's.
        c.trace.record('runtime', 'tool.response_superseded', { data: { responseId: ev.responseId } });
        c.open?.ai.cancelResponse(ev.responseId);
        return;
      }
      // A response begun after the decision (the provider's own, from caller audio sent before
      // it) is cancelled and never played (CC1).
      if (c.callControl.closing && c.turnCtx().activeResponse === null) {
        c.open?.ai.sendRaw({ type: 'response.cancel', response_id: ev.responseId });
        c.trace.record('runtime', 'response.refused', { data: { responseId: ev.responseId, why: 'call_closing' } });
        return;
      }
      turn.send({ type: 'RESPONSE_CREATED', responseId: ev.responseId, ...(hold ? { hold } : {}) });
      c.callControl.onResponseCreated();
      return;
    }
    case 'output_item_added':
      c.items.numberOf(ev.itemId, ev.gen);
      return;
    case 'audio_delta': {
      const delta: AudioDeltaEvent = { type: 'AUDIO_DELTA', responseId: ev.responseId, itemId: ev.itemId, audio: ev.audio };
      turn.send(delta);
      return;
    }
    case 'transcript_delta':
      turn.send({ type: 'TEXT_DELTA', responseId: ev.responseId });
      return;
    case 'transcript_done':
      if (c.turnCtx().activeResponse === ev.responseId) c.memory.add('assistant', ev.transcript);
      c.trace.record('ai', 'transcript', { data: { responseId: ev.responseId, chars: ev.transcript.length } });
      return;
    case 'input_transcript':
      c.memory.add('user', ev.transcript);
      return;
    case 'response_done':
      c.trace.record('ai', 'response_done', { data: { responseId: ev.responseId, status: ev.status } });
      if (c.turnCtx().activeResponse === ev.responseId) {
        c.playout.endPending = true;
        endResponseOnceWritten(c);
      }
      turn.send({ type: 'RESPONSE_DONE', responseId: ev.responseId });
      c.toolCalls.onResponseDone(ev.responseId);
      return;
    case 'function_call':
      c.toolCalls.onFunctionCall(ev);
      return;
    case 'item_truncated':
      c.trace.record('ai', 'item_truncated', { data: { itemId: ev.itemId, audioEndMs: ev.audioEndMs } });
      return;
    default:
      // session_updated, input_committed, audio_done, rate_limits: nothing to decide.
      return;
  }
}
