// Coalesced mark echoes (src/session/markEchoes.ts) against delivering every echo: on random
// event sequences the turn machine ends each non-echo event in the same state and context, and
// the runtime performs the same effects in the same order (the truncate decision included).
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { turnMachine, type TurnEvent } from '../../machines/turn.js';
import { coalesceMarkEchoes, FLUSH_TICKS } from '../../src/session/markEchoes.js';

function turnActor(effects: string[]) {
  const names = ['enqueueAudio', 'dropStaleAudio', 'forwardText', 'dropStaleText', 'requestFlush', 'sendClear', 'sendCancel', 'sendTruncate', 'reportBargeIn', 'dropStaleMark'] as const;
  const actions = Object.fromEntries(names.map((n) => [n, ({ context }: { context: { truncate: unknown } }) => effects.push(`${n}${n === 'sendTruncate' ? JSON.stringify(context.truncate) : ''}`)]));
  return createActor(turnMachine.provide({ actions }), { input: { position: 'marks', bargeIn: true } }).start();
}

/** A seeded generator (no flaky runs). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomEvent(r: () => number, epoch: number, n: number): TurnEvent | 'tick' {
  const x = r();
  const rid = `r${Math.floor(r() * 3)}`;
  if (x < 0.45) return { type: 'MARK_ECHO', epoch: r() < 0.8 ? epoch : Math.max(0, epoch - 1), itemId: `i${Math.floor(r() * 3)}`, ms: n * 20 };
  if (x < 0.6) return 'tick';
  if (x < 0.68) return { type: 'RESPONSE_CREATED', responseId: rid };
  if (x < 0.78) return { type: 'AUDIO_DELTA', responseId: rid, itemId: 'i1' };
  if (x < 0.84) return { type: 'SPEECH_STARTED', itemId: 'i1', deliveredMs: n * 10, sentMs: n * 20 };
  if (x < 0.9) return { type: 'SPEECH_STOPPED' };
  if (x < 0.95) return { type: 'MEDIA_FLUSHED', epoch };
  return { type: 'RESPONSE_DONE', responseId: rid };
}

describe('coalesced mark echoes', () => {
  it('leave the turn machine as delivering every echo does, at every other event', () => {
    let coalesced = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(seed);
      const fxA: string[] = [];
      const fxB: string[] = [];
      const every = turnActor(fxA);
      const held = turnActor(fxB);
      const echoes = coalesceMarkEchoes(held);
      for (let n = 0; n < 300; n++) {
        const ev = randomEvent(r, every.getSnapshot().context.epoch, n);
        if (ev === 'tick') {
          echoes.tick();
          continue;
        }
        every.send(ev);
        held.send(ev);
        if (ev.type === 'MARK_ECHO') continue;
        const a = every.getSnapshot();
        const b = held.getSnapshot();
        expect(b.value).toEqual(a.value);
        expect(b.context).toEqual(a.context);
        expect(fxB).toEqual(fxA);
      }
      echoes.flush();
      expect(held.getSnapshot().context).toEqual(every.getSnapshot().context);
      coalesced += echoes.coalesced;
    }
    // The point of it: most echoes never cost a machine step.
    expect(coalesced).toBeGreaterThan(500);
  });

  it('delivers a held echo after FLUSH_TICKS ticks, and a stale one at once', () => {
    const fx: string[] = [];
    const turn = turnActor(fx);
    const echoes = coalesceMarkEchoes(turn);
    turn.send({ type: 'MARK_ECHO', epoch: 0, itemId: 'a', ms: 20 });
    turn.send({ type: 'MARK_ECHO', epoch: 0, itemId: 'a', ms: 40 });
    for (let i = 1; i < FLUSH_TICKS; i++) echoes.tick();
    expect(turn.getSnapshot().context.mark).toBeNull();
    echoes.tick();
    expect(turn.getSnapshot().context.mark).toEqual({ itemId: 'a', ms: 40 });
    expect(echoes).toMatchObject({ delivered: 1, coalesced: 1 });
    turn.send({ type: 'MARK_ECHO', epoch: 7, itemId: 'a', ms: 60 });
    expect(fx).toEqual(['dropStaleMark']);
  });

  it('counts the ticks a wake-up covers (media.wakeEveryTicks), not wake-ups', () => {
    const turn = turnActor([]);
    const echoes = coalesceMarkEchoes(turn);
    turn.send({ type: 'MARK_ECHO', epoch: 0, itemId: 'a', ms: 20 });
    for (let t = 2; t < FLUSH_TICKS; t += 2) echoes.tick(2);
    expect(turn.getSnapshot().context.mark).toBeNull();
    echoes.tick(2); // FLUSH_TICKS ticks have passed in ⌈FLUSH_TICKS / 2⌉ wake-ups
    expect(turn.getSnapshot().context.mark).toEqual({ itemId: 'a', ms: 20 });
  });
});
