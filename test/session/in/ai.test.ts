// AI input → machine events (src/session/in/ai.ts): the generation check and the delta's audio.
import { describe, expect, it } from 'vitest';
import { rig, startedCall } from '../fakes.js';

const delta = (gen: number, bytes = 480) =>
  ({ type: 'audio_delta', gen, responseId: 'r1', itemId: 'item_A', contentIndex: 0, audio: Buffer.alloc(bytes, 1) }) as const;

describe('AI input', () => {
  it('session_created of the current connection opens the link', () => {
    const r = rig();
    startedCall(r);
    expect(r.call.machineActors.aiLink.getSnapshot().value).toBe('open');
  });

  it('an audio delta carries its audio to the playout ring, tagged with the epoch and the item', () => {
    const r = rig();
    startedCall(r);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.ai.emit(delta(1, 480));
    expect(r.media().playoutWrites).toEqual([{ bytes: 480, tag: { epoch: 0, item: expect.any(Number) as number } }]);
    expect(r.trace.eventsOf('turn')).toContain('AUDIO_DELTA');
  });

  it('events of an earlier connection are stale: traced, never sent to the turn machine', () => {
    const r = rig();
    startedCall(r);
    r.ai.emit({ type: 'closed', gen: 1, code: 1006, reason: '', droppedAudioBytes: 0 });
    r.clock.advance(5_000); // the reconnect timer fires: connection 2
    expect(r.ai.generation).toBe(2);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'old' });
    r.ai.emit(delta(1));
    expect(r.trace.records('ai', 'stale').map((l) => (l.data as { type: string }).type)).toEqual(['response_created', 'audio_delta']);
    expect(r.trace.eventsOf('turn')).not.toContain('RESPONSE_CREATED');
    expect(r.media().playoutWrites).toEqual([]);
  });

  it('a close of an earlier connection is sent with a generation no guard matches (AL1)', () => {
    const r = rig();
    startedCall(r);
    r.ai.emit({ type: 'closed', gen: 1, code: 1006, reason: '', droppedAudioBytes: 0 });
    r.clock.advance(5_000);
    const before = r.call.machineActors.aiLink.getSnapshot().value;
    r.ai.emit({ type: 'closed', gen: 1, code: 1006, reason: '', droppedAudioBytes: 0 });
    expect(r.call.machineActors.aiLink.getSnapshot().value).toBe(before);
  });

  it('a delta of a response that is not active is dropped and counted with its audio time', async () => {
    const r = rig();
    startedCall(r);
    r.ai.emit(delta(1, 800)); // no response_created: not the active response
    expect(r.media().playoutWrites).toEqual([]);
    const m = await r.metrics.registry.getSingleMetricAsString('parley_dropped_audio_seconds_total');
    expect(m).toMatch(/reason="cancelled_response"[^\n]* 0\.1\b/);
  });

  it('speech_started while the agent speaks: barge-in with the playing item’s position', () => {
    const r = rig();
    startedCall(r);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.ai.emit(delta(1));
    r.ai.emit({ type: 'speech_started', gen: 1, audioStartMs: 0, itemId: 'in_1' });
    expect(r.call.machineActors.turn.getSnapshot().context.truncate).toMatchObject({ itemId: 'item_A' });
    expect(r.media().flushes).toEqual([1]);
  });

  it('response_done of the active response ends the playout of the response', () => {
    const r = rig();
    startedCall(r);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.ai.emit({ type: 'response_done', gen: 1, responseId: 'r1', status: 'completed' });
    expect(r.trace.eventsOf('playout')).toContain('END_OF_RESPONSE');
    expect(r.trace.eventsOf('turn')).toContain('RESPONSE_DONE');
  });
});
