// Media-core input (src/session/in/media.ts): frames out, stale frames dropped, the core's
// events into the machines, caller audio on, and the end-of-speech report.
import { describe, expect, it } from 'vitest';
import { rig, startedCall, type Rig } from '../fakes.js';

function speaking(r: Rig): number {
  startedCall(r);
  r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
  r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'item_A', contentIndex: 0, audio: Buffer.alloc(160, 1) });
  return r.media().playoutWrites[0]!.tag.item;
}

describe('media input', () => {
  it('sends the frames the core emitted, each with a mark, and traces them once per tick', () => {
    const r = rig();
    const item = speaking(r);
    r.media().frames = [0, 1].map(() => ({ bytes: Buffer.alloc(160), epoch: 0, item, samples: 160 }));
    r.call.onTick();
    const msgs = r.ws.json();
    expect(msgs.filter((m) => m['event'] === 'media')).toHaveLength(2);
    expect(msgs.filter((m) => m['event'] === 'mark')).toHaveLength(2);
    expect(r.trace.records('media', 'frames')).toHaveLength(1);
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

  it('audio-stream: the reply’s tail is pushed past the module’s minimum fill with silence', () => {
    const r = rig('audio-stream');
    r.call.onMessage(Buffer.from(JSON.stringify({ callId: 'fs-1', sampleRate: 16000 })), false);
    r.ai.emit({ type: 'session_created', gen: 1, sessionId: 's' });
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'i', contentIndex: 0, audio: Buffer.alloc(960) });
    const before = r.ws.sent.length;
    r.media().pendingEvents = [{ type: 'drained', tick: 2, epoch: 0, readIndex: r.media().writeIndex }];
    r.call.onTick();
    expect(r.ws.sent.length).toBeGreaterThan(before);
  });

  it('publishes the playout machine’s state word to the media call', () => {
    const r = rig();
    startedCall(r);
    expect(r.media().state).toBe(String(r.call.machineActors.playout.getSnapshot().value));
  });
});
