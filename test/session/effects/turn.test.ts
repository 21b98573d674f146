// The turn machine's effects (src/session/effects/turn.ts): flush, clear, cancel, truncate.
import { describe, expect, it } from 'vitest';
import { rig, startedCall, type Rig } from '../fakes.js';

function speakingThenBarge(r: Rig): void {
  startedCall(r);
  r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
  r.ai.emit({ type: 'output_item_added', gen: 1, responseId: 'r1', itemId: 'item_A' });
  r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'item_A', contentIndex: 0, audio: Buffer.alloc(160) });
  r.ai.emit({ type: 'speech_started', gen: 1, audioStartMs: 0, itemId: 'in_1' });
}

describe('turn effects', () => {
  it('barge-in: flush to the next epoch, clear the leg, cancel the active response, truncate the item', () => {
    const r = rig();
    speakingThenBarge(r);
    expect(r.media().flushes).toEqual([1]);
    expect(r.ws.json().some((m) => m['event'] === 'clear')).toBe(true);
    const sent = r.ai.sent.map((m) => m['type']);
    expect(sent).toContain('response.cancel');
    const t = r.ai.sent.find((m) => m['type'] === 'conversation.item.truncate' || m['type'] === 'conversation.item.delete');
    expect(t).toMatchObject({ item_id: 'item_A', event_id: 'CA1.' + String(t?.['type']).split('.').pop() + '.1' });
  });

  it('requestFlush empties the JS backlog with the ring: later writes of the old epoch are stale', () => {
    const r = rig();
    speakingThenBarge(r);
    r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'item_A', contentIndex: 0, audio: Buffer.alloc(160) });
    expect(r.media().playoutWrites).toHaveLength(1); // the cancelled response's late delta never reaches the ring
  });

  it('reportBargeIn: the cut-off (speech in → clear out) is measured on the clock', async () => {
    const r = rig();
    speakingThenBarge(r);
    const line = r.trace.records('runtime', 'barge_in')[0];
    expect(line?.data).toMatchObject({ cutoffMs: 0, epoch: 1 });
    expect(await r.metrics.registry.getSingleMetricAsString('parley_barge_ins_total')).toMatch(/ 1$/m);
  });

  it('sendTruncate: an item of an earlier connection is never truncated on the new one', () => {
    const r = rig();
    startedCall(r);
    r.ai.emit({ type: 'response_created', gen: 1, responseId: 'r1' });
    r.ai.emit({ type: 'output_item_added', gen: 1, responseId: 'r1', itemId: 'item_A' });
    r.ai.emit({ type: 'audio_delta', gen: 1, responseId: 'r1', itemId: 'item_A', contentIndex: 0, audio: Buffer.alloc(1600) });
    r.ai.emit({ type: 'closed', gen: 1, code: 1006, reason: '', droppedAudioBytes: 0 });
    r.clock.advance(10_000);
    r.ai.emit({ type: 'session_created', gen: 2, sessionId: 's2' });
    r.ai.emit({ type: 'speech_started', gen: 2, audioStartMs: 0, itemId: 'in_2' });
    expect(r.ai.sent.some((m) => m['type'] === 'conversation.item.truncate' || m['type'] === 'conversation.item.delete')).toBe(false);
    expect(r.trace.lines.some((l) => l.src === 'ai' && l.event.endsWith('.skipped'))).toBe(true);
  });
});
