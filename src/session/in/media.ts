// The media core → the call, once per media-thread wake-up (every tick, or every
// media.wakeEveryTicks ticks, each wake-up then carrying that many ticks' frames and capture):
// agent frames out to the telephony leg, the core's events (flush executed, ring drained,
// underrun) into the machines, caller audio on to the AI link, the playout backlog into the
// ring, and the end-of-speech report.
import { bytesPerMs } from '../../base/audio.js';
import type { MediaCall, MediaEvent, PlayoutFrame } from '../../media/types.js';
import { FRAME_MS } from '../../media/types.js';
import type { PlayoutState } from '../../generated/playout.js';
import type { LinkMode } from '../feeds/captureFeed.js';
import { NO_OBSERVER } from '../../records/index.js';
import type { CallParts, OpenParts } from '../parts.js';

export function onMediaTick(c: CallParts): void {
  const o = c.open;
  if (!o || o.media.closed) return;
  const now = c.now();
  c.actors.markEchoes?.tick(c.deps.engine.wakeEveryTicks ?? 1); // a wake-up covers that many 20 ms ticks
  const frames = o.media.readPlayout();
  const events = o.media.events();
  // One write per tick for the frames and their marks, not one per message.
  const uncork = frames.length > 0 ? c.conn.cork() : undefined;
  try {
    sendFrames(c, o, frames, now, events);
  } finally {
    uncork?.();
  }
  for (const e of events) onMediaEvent(c, o, e, now);
  // Trace mode (media.coreTrace): the core's own steps, for the refinement check (core-trace.ts).
  for (const r of o.media.takeTrace?.() ?? []) c.trace.record('media', `core.${r.k}`, { data: { ...r } });
  const captured = o.media.readCapture();
  // Closing (end_call / transfer decided): caller audio no longer reaches the model.
  if (captured.length > 0 && c.callControl.closing) c.drop('closed', 1, 0);
  else if (captured.length > 0) o.captureFeed.push(captured, linkMode(c));
  o.playoutFeed.pump();
  endResponseOnceWritten(c);
  reportDrainIfDone(c, now);
  c.callControl.onTick(now);
}

/**
 * END_OF_RESPONSE tells the playout machine the response's audio is all in the ring (its short
 * last frame may be padded, a dry ring is the end): sent once the response is done *and* the JS
 * backlog has moved its last chunk into the ring. A ring already dry by then is reported again,
 * since the media thread reports a drain only once.
 */
export function endResponseOnceWritten(c: CallParts): void {
  const o = c.open;
  if (!c.playout.endPending || !o || !o.playoutFeed.backlogEmpty) return;
  c.playout.endPending = false;
  c.actors.playout.send({ type: 'END_OF_RESPONSE' });
  if (c.playout.drainPending) {
    c.actors.playout.send({ type: 'MEDIA_DRAINED', caughtUp: true });
    padModuleTailIfDrained(c, o, c.now());
  }
}

/** Writes the playout machine's state word to the media thread (its only view of the machine). */
export function publishPlayoutState(c: CallParts): void {
  const media = c.open?.media;
  if (!media || media.closed) return;
  const state = String(c.actors.playout.getSnapshot().value);
  if (state === c.lastPlayoutState) return;
  c.lastPlayoutState = state; // what the media call was last told, not what it was told before it opened
  media.setState(state as PlayoutState);
}

/** Where caller audio goes, from the aiLink machine's tags. */
export function linkMode(c: CallParts): LinkMode {
  const s = c.actors.aiLink.getSnapshot();
  return s.hasTag('ai.send') ? 'send' : s.hasTag('ai.buffer') ? 'buffer' : 'down';
}

/**
 * An underrun where frames leave the process: the response's next frame goes out after the far
 * side (as Parley models it) has played everything it had, so the caller heard a gap. Counted
 * once per late send, with why: the media thread was late (it says so), JS was late (more frames
 * waited than the lead allows), or the ring had run dry (the AI was late).
 *
 * On time, a wake-up finds at most the lead's burst plus one frame per tick since the last one
 * (media.wakeEveryTicks); one tick more is the margin before JS counts as late.
 */
function countSendUnderrun(c: CallParts, o: OpenParts, frames: readonly PlayoutFrame[], now: number, events: readonly MediaEvent[]): void {
  // mod_audio_stream goes silent below its minimum fill: what it still holds then is stranded.
  const gateMs = o.farSide.silentBelowMs;
  const queued = o.farSide.queuedMs(now);
  const starving = gateMs > 0 ? queued < gateMs : queued <= 0;
  if (c.playout.playingItem === undefined || !starving) return;
  const leadFrames = Math.ceil(o.media.config.lookaheadMs / FRAME_MS);
  const wakeEvery = c.deps.engine.wakeEveryTicks ?? 1;
  const cause = events.some((e) => e.type === 'underrun')
    ? 'media_late'
    : frames.length > leadFrames + wakeEvery
      ? 'js_late'
      : c.playout.ranDry
        ? 'ai_starved'
        : 'unattributed';
  c.deps.metrics.sendUnderruns.inc({ cause });
  c.trace.record('media', 'send_underrun', { data: { cause, frames: frames.length } });
}

function sendFrames(c: CallParts, o: OpenParts, frames: readonly PlayoutFrame[], now: number, events: readonly MediaEvent[]): void {
  const { media, out } = o;
  out.release(now); // unflushable pacing: what the far side has played room for
  const sent: string[] = [];
  if (frames.some((f) => f.epoch === media.epoch && f.samples > 0)) countSendUnderrun(c, o, frames, now, events);
  let backpressure = false;
  // The far side's queue before each frame is for the call record only: not asked when none listens.
  const observed = c.observer !== NO_OBSERVER;
  let framesOut = 0;
  // One play report (mark) per write, on its last frame: the far side echoes every mark, and each
  // echo is a message to take in. The baseline path marked every frame.
  let lastOfWrite = -1;
  if (c.deps.config.jsPath !== 'baseline') for (let i = frames.length - 1; i >= 0 && lastOfWrite < 0; i--) if (frames[i]!.epoch === media.epoch) lastOfWrite = i;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    // Frames emitted between requestFlush and its execution belong to the old epoch: they
    // never leave Parley (the cut-off is the clear, not the media thread's next tick).
    if (f.epoch !== media.epoch) {
      c.drop('stale_epoch', 1, FRAME_MS / 1000);
      continue;
    }
    const ms = (f.samples / media.config.ai.rate) * 1000;
    const tEpoch = f.epoch % c.turnCtx().epochModulus;
    const aheadMs = observed ? o.farSide.queuedMs(now) : 0; // what the far side plays before this frame
    if (out.frame(f.bytes, tEpoch, f.item, ms, now, lastOfWrite < 0 || i === lastOfWrite)) {
      framesOut += 1;
      if (f.samples > 0) c.playout.playingItem = f.item;
      const itemId = c.items.idOf(f.item);
      sent.push(itemId ?? `#${f.item}`);
      if (observed) c.observer.agentFrame(f.bytes, itemId, now, aheadMs);
    } else {
      c.drop(out.open ? 'outbound_backpressure' : 'closed', 1, FRAME_MS / 1000); // a gone socket is not backpressure
      backpressure ||= out.open;
    }
  }
  if (framesOut > 0) c.deps.metrics.framesOut.inc({ protocol: c.protocol }, framesOut); // one label lookup per tick
  if (backpressure) c.deps.metrics.sendUnderruns.inc({ cause: 'socket_backpressure' });
  if (sent.length > 0) c.playout.ranDry = false;
  // One trace line per tick for the frames that left Parley (trace validation checks them
  // against the machines: playout allowed, current epoch, not of a cut response).
  if (sent.length > 0) c.trace.record('media', 'frames', { data: { epoch: media.epoch, items: sent } });
}

function onMediaEvent(c: CallParts, o: OpenParts, e: MediaEvent, now: number): void {
  const { media } = o;
  switch (e.type) {
    case 'flushed':
      c.trace.record('media', 'flushed', { data: { epoch: e.epoch, droppedSamples: e.droppedSamples, tick: e.tick } });
      c.actors.playout.send({ type: 'MEDIA_FLUSHED' });
      c.actors.turn.send({ type: 'MEDIA_FLUSHED', epoch: e.epoch % c.turnCtx().epochModulus });
      return;
    case 'drained': {
      c.playout.ranDry = true;
      const caughtUp = e.readIndex === media.playoutWriteIndex() && o.playoutFeed.backlogEmpty;
      c.trace.record('media', 'drained', { data: { epoch: e.epoch, caughtUp, tick: e.tick } });
      if (c.turnCtx().activeResponse !== null && !c.playout.noticeQueued) c.deps.metrics.underruns.inc({ cause: 'ai' });
      c.actors.playout.send({ type: 'MEDIA_DRAINED', caughtUp });
      if (caughtUp) {
        c.playout.drainPending = { epoch: e.epoch };
        padModuleTailIfDrained(c, o, now);
        reportDrainIfDone(c, now);
      }
      return;
    }
    case 'underrun':
      c.deps.metrics.underruns.inc({ cause: 'parley' }, e.missedFrames);
      c.trace.record('media', 'underrun', { data: { missedFrames: e.missedFrames, tick: e.tick } });
      return;
    case 'prefilled':
      c.trace.record('media', 'prefilled', { data: { epoch: e.epoch, bufferedMs: e.bufferedMs, tick: e.tick } });
      return;
    case 'speech-start':
    case 'speech-stop':
      // Local VAD: informational; barge-in follows the AI's speech_started (the embedded
      // agent in local mode has its own server VAD, like OpenAI).
      c.trace.record('media', e.type, { data: { tick: e.tick, at: now } });
      return;
  }
}

/**
 * A far side with a minimum fill (mod_audio_stream): push the end of the reply past the gate —
 * once the reply has ended (the playout machine reached drained), never on a late chunk inside
 * it (PL6).
 */
function padModuleTailIfDrained(c: CallParts, o: OpenParts, now: number): void {
  if (o.farSide.silentBelowMs <= 0 || c.playout.tailPadded) return;
  if (c.actors.playout.getSnapshot().value !== 'drained') return;
  c.playout.tailPadded = true;
  if (!c.actors.session.getSnapshot().hasTag('media.playout')) return;
  const fmt = o.media.config.telephony;
  const ms = Math.ceil(o.farSide.silentBelowMs / FRAME_MS) * FRAME_MS;
  o.out.silence(Math.round(ms * bytesPerMs(fmt)), ms, o.media.epoch % c.turnCtx().epochModulus, now);
  // Audio on the wire like a frame: traced so a caller's count of audio after a clear can be
  // matched against everything Parley sent (the chaos bench's stale-audio check).
  c.trace.record('media', 'silence', { data: { ms, epoch: o.media.epoch } });
}

/**
 * Tells the turn machine the agent's audio is over (PLAYOUT_DRAINED) once the core's ring ran
 * dry with nothing written since, the response is no longer active (a mid-response gap is the
 * AI running late, not the end of the agent's turn), and the far side has played what it holds
 * (mod_audio_stream strands less than its minimum fill; that never plays on its own).
 */
function reportDrainIfDone(c: CallParts, now: number): void {
  const d = c.playout.drainPending;
  const o = c.open;
  if (!d || !o) return;
  if (d.epoch !== o.media.epoch) {
    c.playout.drainPending = undefined;
    return;
  }
  const turn = c.turnCtx();
  if (!c.playout.noticeQueued && turn.activeResponse !== null) return;
  const queued = o.farSide.queuedMs(now) + o.out.heldMs;
  const stranded = o.farSide.silentBelowMs;
  if (queued > 0 && queued >= stranded) return;
  c.playout.drainPending = undefined;
  c.playout.playingItem = undefined;
  c.playout.firstQueuedItem = undefined;
  c.actors.turn.send({ type: 'PLAYOUT_DRAINED', epoch: d.epoch % turn.epochModulus, written: turn.written });
  c.observer.playoutDrained(now);
  if (c.playout.noticeQueued) c.actors.session.send({ type: 'PLAYOUT_DRAINED' });
}
