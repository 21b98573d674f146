// The turn machine's greetingHeard guard, directly: a greeting created with `hold` is not cut by
// caller speech while its response is active or any of its audio is unheard (GR1), and barge-in
// is on again the moment it has been heard — also with the next reply already queued (GR2).
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { turnMachine, type TurnEvent } from '../../machines/turn.js';
import { effectsOf, recordingMachine, type TraceRecord } from './modelHarness.js';

const speech = (heldUnheardMs: number): TurnEvent => ({ type: 'SPEECH_STARTED', itemId: 'g', deliveredMs: 100, sentMs: 400, heldUnheardMs });

function start(hold: boolean) {
  const trace: TraceRecord[] = [];
  const actor = createActor(recordingMachine(turnMachine, trace), { input: { position: 'delivered' } });
  actor.start();
  actor.send({ type: 'RESPONSE_CREATED', responseId: 'greet', hold });
  actor.send({ type: 'AUDIO_DELTA', responseId: 'greet', itemId: 'g' });
  return { actor, trace };
}

describe('turn: a greeting that may not be interrupted', () => {
  it('caller speech while the greeting is generated or still playing cuts nothing and cancels nothing', () => {
    const { actor, trace } = start(true);
    expect(actor.getSnapshot().context.heldResponse).toBe('greet');
    actor.send(speech(0)); // response still active
    expect(actor.getSnapshot().value).toBe('agentSpeaking');
    actor.send({ type: 'RESPONSE_DONE', responseId: 'greet' });
    actor.send(speech(300)); // done, but 300 ms not heard yet
    expect(actor.getSnapshot().value).toBe('agentSpeaking');
    for (const a of ['requestFlush', 'sendClear', 'sendCancel', 'sendTruncate']) expect(effectsOf(trace, a), a).toHaveLength(0);
  });

  it('barge-in is on again once the greeting has been heard, with the next reply queued behind it', () => {
    const { actor, trace } = start(true);
    actor.send({ type: 'RESPONSE_DONE', responseId: 'greet' });
    actor.send({ type: 'RESPONSE_CREATED', responseId: 'reply' });
    actor.send({ type: 'AUDIO_DELTA', responseId: 'reply', itemId: 'r' });
    actor.send(speech(0));
    expect(actor.getSnapshot().value).toEqual({ interrupted: 'speaking' });
    expect(effectsOf(trace, 'requestFlush')).toHaveLength(1);
    expect(effectsOf(trace, 'sendCancel')).toHaveLength(1);
    expect(actor.getSnapshot().context.cancelledResponse).toBe('reply');
  });

  it('an interruptible greeting (no hold) is cut like any response', () => {
    const { actor, trace } = start(false);
    actor.send(speech(500));
    expect(actor.getSnapshot().value).toEqual({ interrupted: 'speaking' });
    expect(effectsOf(trace, 'sendCancel')).toHaveLength(1);
  });
});
