// The telephony leg → the call: decoded messages become machine events (start, hang-up, marks)
// or caller audio for the media core; rejected input is counted and traced, never thrown.
import { bytesPerMs } from '../../base/audio.js';
import type { CallStart, InboundEvent, RawFrame, Rejection } from '../../telephony/index.js';
import type { CallParts } from '../parts.js';
import { chooseProfile, cleanValue } from '../profile.js';

export function onTelephonyMessage(c: CallParts, data: RawFrame, isBinary: boolean): void {
  // The call is over: what the leg still sends is dropped, and counted.
  if (c.cleanupBegun) return c.drop('closed', 1, 0);
  const r = c.decoder.decode(data, isBinary);
  if (!r.ok) return rejected(c, r);
  for (const ev of r.events) inbound(c, ev);
}

export function onTelephonyClose(c: CallParts, code: number, reason: string): void {
  c.trace.record('telephony', 'socket.close', { data: { code, reason } });
  if (c.cleanupBegun) return;
  // Some legs end a call by closing (mod_audio_stream); the others say so first (Twilio `stop`)
  // and a close without it is a failure.
  const hangup = c.platform.closeIsHangup || c.decoder.stopped;
  c.actors.session.send({ type: hangup ? 'HANGUP' : 'SOCKET_ERROR' });
}

export function onTelephonyError(c: CallParts, err: Error): void {
  c.trace.record('telephony', 'socket.error', { data: { message: err.message } });
  c.log.warn({ err: err.message }, 'telephony socket error');
  if (!c.cleanupBegun) c.actors.session.send({ type: 'SOCKET_ERROR' });
}

function rejected(c: CallParts, r: Rejection): void {
  c.deps.metrics.protocolRejections.inc({ protocol: c.protocol, reason: r.reason });
  c.trace.record('telephony', 'rejected', { data: { reason: r.reason, detail: r.detail } });
  // A format Parley cannot speak is a set-up mistake the operator must see (the call cannot
  // start); the rest is per-message noise.
  if (r.reason === 'unsupported_format') c.log.warn({ reason: r.reason, detail: r.detail }, 'telephony format refused');
  else c.log.debug({ reason: r.reason, detail: r.detail }, 'telephony message rejected');
}

function inbound(c: CallParts, ev: InboundEvent): void {
  switch (ev.kind) {
    case 'start':
      return onStart(c, ev);
    case 'media':
      return onCallerAudio(c, ev.payload);
    case 'mark':
      return onMark(c, ev.name);
    case 'dtmf':
      c.callControl.onDigit(ev.digit, 'twilio');
      return;
    case 'stop':
      c.trace.record('telephony', 'stop');
      c.actors.session.send({ type: 'HANGUP' });
      return;
    case 'connected':
      c.trace.record('telephony', 'connected', { data: { protocol: ev.protocol, version: ev.version } });
      return;
    case 'text':
      c.trace.record('telephony', 'text', { data: { length: ev.text.length } });
      return;
  }
}

function onStart(c: CallParts, start: CallStart): void {
  c.startTimeout?.cancel();
  c.start = start;
  c.callId = start.callId;
  c.log = c.deps.log.child({ callId: c.callId, protocol: c.protocol });
  c.trace.rename(start.callId);
  c.trace.record('telephony', 'start', {
    data: { callId: start.callId, streamId: start.streamId, format: start.format, implicit: start.implicit, connId: c.connId },
  });
  const choice = chooseProfile(c.deps.config, start.customParameters);
  c.profile = choice.profile;
  c.deps.metrics.agentProfileCalls.inc({ agent: choice.profile.name });
  if (choice.unknown !== undefined) {
    c.deps.metrics.agentProfileUnknown.inc();
    c.log.warn({ agent: cleanValue(choice.unknown, 64) }, 'the call names an unknown agent profile; answered by default');
  }
  c.log.info({ format: start.format, params: Object.keys(start.customParameters), agent: choice.profile.name }, 'call started');
  c.observer.started({ callId: start.callId, protocol: c.protocol, streamId: start.streamId, format: start.format, profile: choice.profile.name }, c.now());
  c.actors.session.send({ type: 'CALL_STARTED' });
  c.callControl.onCallStarted();
}

/** Caller audio goes to the media core only while the session's tags allow capture. */
function onCallerAudio(c: CallParts, payload: Buffer): void {
  c.deps.metrics.frameIn(c.protocol);
  c.observer.callerAudio(payload, c.now());
  const media = c.open?.media;
  if (!media) return c.drop('closed', 1, 0);
  if (!c.actors.session.getSnapshot().hasTag('media.capture')) return;
  const w = media.writeCapture(payload);
  if (w === 'full') c.drop('capture_full', 1, payload.length / bytesPerMs(media.config.telephony));
  else if (w !== 'ok') c.drop('closed', 1, 0);
}

function onMark(c: CallParts, name: string): void {
  const far = c.open?.farSide;
  if (!far) return;
  const now = c.now();
  const outcome = far.onMark(name, now);
  // `<epoch>.<item>[.<seq>]`: the first two of name.split('.'), without the array (one echo per write).
  const dot = name.indexOf('.');
  const next = dot < 0 ? -1 : name.indexOf('.', dot + 1);
  const epoch = Number(dot < 0 ? name : name.slice(0, dot));
  const item = dot < 0 ? NaN : Number(next < 0 ? name.slice(dot + 1) : name.slice(dot + 1, next));
  if (outcome === 'unknown' || !Number.isInteger(epoch) || !Number.isInteger(item)) {
    c.trace.record('telephony', 'mark.unknown', { data: { name } });
    return;
  }
  const itemId = c.items.idOf(item) ?? `#${item}`;
  // A cleared mark carries its (old) epoch: the turn machine ignores it (BI4).
  c.actors.turn.send({ type: 'MARK_ECHO', epoch, itemId, ms: far.heardMs(item, now) });
}
