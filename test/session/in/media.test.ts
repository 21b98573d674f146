// Media-core input (src/session/in/media.ts): frames out, stale frames dropped, the core's
// events into the machines, caller audio on, and the end-of-speech report.
import { describe, expect, it } from 'vitest';
import { NO_OBSERVER, type CallObserver } from '../../../src/records/index.js';
import { rig, startedCall, TWILIO_START, type Rig } from '../fakes.js';

function speaking(r: Rig): number {
  startedCall(r);
  r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
  r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'item_A', contentIndex: 0, audio: Buffer.alloc(160, 1) });
  return r.media().playoutWrites[0]!.tag.item;
}

describe('media input', () => {
  it('sends the frames the core emitted, one mark after the last of them, and traces them once per tick', () => {
    const r = rig();
    const item = speaking(r);
    r.media().frames = [0, 1, 2].map(() => ({ bytes: Buffer.alloc(160), epoch: 0, item, samples: 160 }));
    r.call.onTick();
    expect(r.ws.json().map((m) => m['event'])).toEqual(['media', 'media', 'media', 'mark']);
    expect(r.trace.records('media', 'frames')).toHaveLength(1);
    // The mark reports all three: once echoed, the caller has heard 60 ms of the item.
    const { name } = r.ws.json().at(-1)!['mark'] as { name: string };
    r.call.onMessage(Buffer.from(JSON.stringify({ event: 'mark', sequenceNumber: '4', streamSid: 'MZ1', mark: { name } })), false);
    expect(r.call.machineActors.turn.getSnapshot().context.mark).toMatchObject({ ms: 60 });
  });

  it('the baseline JS path (jsPath baseline) still marks every frame', () => {
    const r = rig('twilio', { jsPath: 'baseline' });
    const item = speaking(r);
    r.media().frames = [0, 1].map(() => ({ bytes: Buffer.alloc(160), epoch: 0, item, samples: 160 }));
    r.call.onTick();
    expect(r.ws.json().map((m) => m['event'])).toEqual(['media', 'mark', 'media', 'mark']);
  });

  it('a stale frame at the end of the tick: the mark goes on the last frame that leaves', () => {
    const r = rig();
    const item = speaking(r);
    r.media().frames = [{ bytes: Buffer.alloc(160), epoch: 0, item, samples: 160 }, { bytes: Buffer.alloc(160), epoch: 7, item, samples: 160 }];
    r.call.onTick();
    expect(r.ws.json().map((m) => m['event'])).toEqual(['media', 'mark']);
  });

  it('counts every frame out (once per tick), and a call record gets the far side’s queue before each frame', async () => {
    const aheads: number[] = [];
    const observer: CallObserver = { ...NO_OBSERVER, agentFrame: (_b, _id, _now, aheadMs) => void aheads.push(aheadMs) };
    const r = rig('twilio', {}, undefined, { records: { observe: () => observer } });
    const item = speaking(r);
    r.media().frames = [0, 1, 2].map(() => ({ bytes: Buffer.alloc(160), epoch: 0, item, samples: 480 }));
    r.call.onTick();
    const ms = (480 / r.media().config.ai.rate) * 1000;
    expect(aheads).toEqual([0, ms, 2 * ms]);
    expect(await r.metrics.registry.getSingleMetricAsString('parley_frames_out_total')).toMatch(/protocol="twilio"[^\n]* 3/);
  });

  it('a frame of an older epoch never leaves Parley: dropped and counted as stale_epoch', async () => {
    const r = rig();
    const item = speaking(r);
    r.ai.emit({ type: 'speech_started', gen: 1, audioStartMs: 0, itemId: 'in_1' }); // epoch 0 → 1
    const sentBefore = r.ws.sent.length;
    r.media().frames = [{ bytes: Buffer.alloc(160), epoch: 0, item, samples: 160 }];
    r.call.onTick();
    expect(r.ws.sent.length).toBe(sentBefore);
    expect(await r.metrics.registry.getSingleMetricAsString('parley_drops_total')).toMatch(/reason="stale_epoch"[^\n]* 1/);
  });

  it('flushed: both the playout and the turn machine learn the flush executed', () => {
    const r = rig();
    speaking(r);
    r.ai.emit({ type: 'speech_started', gen: 1, audioStartMs: 0, itemId: 'in_1' });
    r.media().pendingEvents = [{ type: 'flushed', tick: 1, epoch: 1, droppedSamples: 160, readIndex: 0 }];
    r.call.onTick();
    expect(r.trace.eventsOf('playout')).toContain('MEDIA_FLUSHED');
    expect(r.trace.eventsOf('turn')).toContain('MEDIA_FLUSHED');
  });

  it('drained mid-response is an AI underrun, not the end of the agent’s turn', async () => {
    const r = rig();
    speaking(r);
    r.media().pendingEvents = [{ type: 'drained', tick: 2, epoch: 0, readIndex: r.media().writeIndex }];
    r.call.onTick();
    expect(r.trace.eventsOf('turn')).not.toContain('PLAYOUT_DRAINED');
    expect(await r.metrics.registry.getSingleMetricAsString('parley_underruns_total')).toMatch(/cause="ai"[^\n]* 1/);
  });

  it('drained after response_done, once the far side has played it: PLAYOUT_DRAINED', () => {
    const r = rig();
    speaking(r);
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' });
    r.media().pendingEvents = [{ type: 'drained', tick: 2, epoch: 0, readIndex: r.media().writeIndex }];
    r.call.onTick();
    expect(r.trace.eventsOf('turn')).toContain('PLAYOUT_DRAINED');
    expect(r.call.machineActors.turn.getSnapshot().hasTag('agent.audio')).toBe(false);
  });

  it('caller audio the core converted goes to the AI while the link is open', () => {
    const r = rig();
    startedCall(r);
    r.media().captured = Buffer.alloc(320);
    r.call.onTick();
    expect(r.ai.appended).toEqual([320]);
  });

  it('audio-stream: a dry ring inside a reply is a late chunk — no padding; the tail is padded once the reply ended (PL6)', () => {
    const r = rig('audio-stream');
    r.call.onMessage(Buffer.from(JSON.stringify({ callId: 'fs-1', sampleRate: 16000 })), false);
    r.ai.emit({ type: 'session_created', gen: 1, sessionId: 's' });
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.media().buffered = 300; // past the lookahead, with the cushion beyond this 200 ms chunk: playing
    r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'i', contentIndex: 0, audio: Buffer.alloc(9600) });
    const before = r.ws.sent.length;
    r.media().pendingEvents = [{ type: 'drained', tick: 2, epoch: 0, readIndex: r.media().writeIndex }];
    r.call.onTick();
    expect(r.ws.sent.length).toBe(before); // the reply is live: wait for its next chunk
    expect(r.call.machineActors.playout.getSnapshot().value).toBe('playing');
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' });
    expect(r.call.machineActors.playout.getSnapshot().value).toBe('drained');
    expect(r.ws.sent.length).toBe(before + 1); // one silence message past the module's gate
  });

  it('a response starts only with the cushion queued beyond the chunk just written', () => {
    const r = rig('twilio');
    r.call.onMessage(Buffer.from(TWILIO_START), false);
    r.ai.emit({ type: 'session_created', gen: 1, sessionId: 's' });
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    const chunk = { type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'i', contentIndex: 0 } as const;
    r.media().buffered = 200; // one 200 ms chunk fills the lead alone: at 1× the far side would hold nothing at the next
    r.ai.emit({ ...chunk, audio: Buffer.alloc(1600) });
    expect(r.call.machineActors.playout.getSnapshot().value).toBe('prefill');
    r.media().buffered = 400;
    r.ai.emit({ ...chunk, audio: Buffer.alloc(1600) });
    expect(r.call.machineActors.playout.getSnapshot().value).toBe('playing');
  });

  it('each far side keeps its cushion ahead (lookahead + cushion, capped by the core)', () => {
    const r = rig('audio-stream');
    r.call.onMessage(Buffer.from(JSON.stringify({ callId: 'fs-1', sampleRate: 16000 })), false);
    expect(r.media().config.lookaheadMs).toBe(r.config.media.lookaheadMs + r.config.telephony.audioStreamCushionMs);
    expect(r.call.machineActors.playout.getSnapshot().context.lookaheadMs).toBe(r.media().config.lookaheadMs);
    const t = rig('twilio');
    t.call.onMessage(Buffer.from(TWILIO_START), false);
    expect(t.media().config.lookaheadMs).toBe(t.config.media.lookaheadMs + t.config.telephony.reportedCushionMs);
  });

  it('END_OF_RESPONSE waits until the response’s last chunk left the JS backlog', () => {
    const r = rig();
    startedCall(r);
    r.media().refuseWrites = 'full';
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'i', contentIndex: 0, audio: Buffer.alloc(160) });
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' });
    expect(r.trace.eventsOf('playout')).not.toContain('END_OF_RESPONSE');
    r.media().refuseWrites = undefined;
    r.call.onTick();
    expect(r.trace.eventsOf('playout')).toContain('END_OF_RESPONSE');
  });

  it('a frame sent after the far side played everything is an underrun at the send, attributed', async () => {
    const r = rig('audio-stream');
    r.call.onMessage(Buffer.from(JSON.stringify({ callId: 'fs-1', sampleRate: 16000 })), false);
    r.ai.emit({ type: 'session_created', gen: 1, sessionId: 's' });
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.media().buffered = 500;
    r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'i', contentIndex: 0, audio: Buffer.alloc(9600) });
    const item = r.media().playoutWrites[0]!.tag.item;
    const frame = { bytes: Buffer.alloc(640), epoch: 0, item, samples: 480 };
    r.media().frames = [frame, frame, frame, frame];
    r.call.onTick(); // 80 ms at the far side: the module starts once it holds its minimum fill
    r.media().pendingEvents = [{ type: 'drained', tick: 5, epoch: 0, readIndex: r.media().writeIndex + 1 }];
    r.call.onTick(); // the ring ran dry (not caught up: more audio is on its way)
    r.clock.advance(1000); // the far side plays out everything it had
    r.media().frames = [frame];
    r.call.onTick();
    const m = await r.metrics.registry.getSingleMetricAsString('parley_send_underruns_total');
    expect(m).toMatch(/cause="ai_starved"[^\n]* 1/);
    expect(r.trace.records('media', 'send_underrun')).toHaveLength(1);
  });

  it('a wake-up every N ticks may bring N frames beyond the lead before JS counts as late (js_late)', async () => {
    const causeOf = async (wakeEvery: number, frames: number): Promise<string | undefined> => {
      const r = rig('twilio');
      r.engine.wakeEveryTicks = wakeEvery;
      const item = speaking(r);
      const frame = { bytes: Buffer.alloc(160), epoch: 0, item, samples: 160 };
      r.media().frames = [frame];
      r.call.onTick(); // the response is playing
      for (const m of r.ws.json().filter((x) => x['event'] === 'mark')) {
        r.call.onMessage(Buffer.from(JSON.stringify({ event: 'mark', sequenceNumber: '3', streamSid: 'MZ1', mark: m['mark'] })), false);
      }
      r.media().frames = Array.from({ length: frames }, () => frame); // the far side has played everything
      r.call.onTick();
      const m = await r.metrics.registry.getSingleMetricAsString('parley_send_underruns_total');
      return /cause="(\w+)"[^\n]* 1/.exec(m)?.[1];
    };
    const lead = Math.ceil(rig('twilio').config.media.lookaheadMs / 20) + Math.ceil(rig('twilio').config.telephony.reportedCushionMs / 20);
    expect(await causeOf(1, lead + 2)).toBe('js_late');
    expect(await causeOf(2, lead + 2)).not.toBe('js_late');
    expect(await causeOf(2, lead + 2)).toBeDefined();
    expect(await causeOf(2, lead + 3)).toBe('js_late');
  });

  it('publishes the playout machine’s state word to the media call', () => {
    const r = rig();
    startedCall(r);
    expect(r.media().state).toBe(String(r.call.machineActors.playout.getSnapshot().value));
  });
});
