// The JS fallback engine against the MediaEngine contract, side by side with the native
// engine: the same behaviour tests run on both, and the same script played through both
// must give the same frames, events and counters (the DSP is bit-identical).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaError, NativeMediaEngine, createMediaEngine, type CallMediaConfig, type MediaEngine } from '../../../src/media/index.js';
import { JsMediaEngine } from '../../../src/media/reference/engine.js';
import { speechScene, tone } from '../../../src/media/reference/testSignals.js';
import { Collector, taggedMulaw, ticks, untilTick } from '../engine-helpers.js';

const MULAW: CallMediaConfig = { telephony: { codec: 'mulaw', rate: 8000 }, ai: { codec: 'mulaw', rate: 8000 } };
const DSP: CallMediaConfig = { telephony: { codec: 'mulaw', rate: 8000 }, ai: { codec: 'pcm16', rate: 24000 } };
const FRAME = 160;

const pcmBytes = (x: Int16Array): Buffer => Buffer.from(x.buffer, x.byteOffset, x.byteLength);

const KINDS = [
  ['native', (o: { tickMs: number; maxCalls?: number }) => new NativeMediaEngine(o)],
  ['js', (o: { tickMs: number; maxCalls?: number }) => new JsMediaEngine(o)],
] as const;

describe.each(KINDS)('%s engine: the MediaEngine contract', (kind, make) => {
  let engine: MediaEngine;
  beforeEach(() => {
    engine = make({ tickMs: 2, maxCalls: 8 });
  });
  afterEach(async () => {
    await engine.close();
  });

  it('reports its kind', () => {
    expect(engine.kind).toBe(kind);
    expect(engine.stats().kind).toBe(kind);
  });

  it('emits only while playing, in order, with delivered counts and one padded tail', async () => {
    const call = engine.open(MULAW);
    const out = new Collector(engine, call);
    const lengths = [700, 1333, 91];
    lengths.forEach((n, item) => expect(call.writePlayout(taggedMulaw(item, n), { epoch: 0, item })).toBe('ok'));
    await ticks(engine, 3);
    expect(out.frames).toHaveLength(0);
    call.setState('finishing');
    await untilTick(engine, () => out.has('drained'));
    lengths.forEach((n, item) => expect(call.delivered(item)).toBe(n));
    expect(out.audio().equals(Buffer.concat(lengths.map((n, item) => taggedMulaw(item, n))))).toBe(true);
    expect(call.counters()).toMatchObject({ paddedFrames: 1, samplesEmitted: 2124 });
    const drained = out.events.find((e) => e.type === 'drained');
    expect(drained?.type === 'drained' && drained.readIndex).toBe(call.playoutWriteIndex());
  });

  it('while the response is live a short tail waits for the rest; padded only once it is complete (PL6)', async () => {
    const call = engine.open(MULAW);
    const out = new Collector(engine, call);
    call.writePlayout(taggedMulaw(1, 2 * FRAME + 40), { epoch: 0, item: 1 });
    call.setState('playing');
    await untilTick(engine, () => out.frames.length >= 2);
    await ticks(engine, 10); // the far side's lead has long run out: a padding engine would pad now
    expect(out.frames).toHaveLength(2);
    expect(call.counters()).toMatchObject({ paddedFrames: 0 });
    // The rest of the frame arrives late: it joins the waiting tail, no silence inside.
    call.writePlayout(taggedMulaw(1, FRAME - 40), { epoch: 0, item: 1 });
    await untilTick(engine, () => out.frames.length >= 3);
    expect(out.audio().equals(Buffer.concat([taggedMulaw(1, 2 * FRAME + 40), taggedMulaw(1, FRAME - 40)]))).toBe(true);
    call.writePlayout(taggedMulaw(2, 30), { epoch: 0, item: 2 });
    call.setState('finishing');
    await untilTick(engine, () => out.has('drained'));
    expect(call.counters()).toMatchObject({ paddedFrames: 1 });
  });

  it('executes a flush at its next tick, dropping only what was written before', async () => {
    const call = engine.open({ ...MULAW, lookaheadMs: 40 });
    const out = new Collector(engine, call);
    call.writePlayout(taggedMulaw(1, 50 * FRAME), { epoch: 0, item: 1 });
    call.setState('finishing');
    await untilTick(engine, () => out.frames.length >= 5);
    call.requestFlush(1);
    expect(call.bufferedPlayoutMs()).toBe(0);
    expect(call.writePlayout(taggedMulaw(1, FRAME), { epoch: 0, item: 1 })).toBe('stale');
    expect(call.writePlayout(taggedMulaw(2, 4 * FRAME), { epoch: 1, item: 2 })).toBe('ok');
    await untilTick(engine, () => call.delivered(2) === 4 * FRAME);
    const flushed = out.events.find((e) => e.type === 'flushed');
    const item1 = call.delivered(1) ?? 0;
    expect(flushed).toMatchObject({ epoch: 1, droppedSamples: 50 * FRAME - item1 });
    expect(call.counters()).toMatchObject({ flushes: 1, flushedEpoch: 1, playoutStale: 1 });
  });

  it('refuses future epochs, closed states and overflow, counted; throws on programming errors', () => {
    const call = engine.open({ ...MULAW, playoutCapacityMs: 100 });
    expect(call.writePlayout(taggedMulaw(1, 10), { epoch: 1, item: 1 })).toBe('invalid');
    expect(call.writePlayout(taggedMulaw(1, 800), { epoch: 0, item: 1 })).toBe('ok');
    expect(call.writePlayout(taggedMulaw(1, 1), { epoch: 0, item: 1 })).toBe('full');
    call.setState('closed');
    expect(call.writePlayout(taggedMulaw(1, 1), { epoch: 0, item: 1 })).toBe('closed');
    expect(call.writeCapture(taggedMulaw(1, 1))).toBe('closed');
    expect(call.counters()).toMatchObject({ playoutInvalid: 1, playoutFull: 1, playoutClosed: 1, captureClosed: 1, playoutBytes: 800 });
    expect(() => call.requestFlush(0)).toThrow(MediaError);
    expect(() => call.setState('bogus' as 'idle')).toThrow(/unknown playout state/);
    expect(() => engine.open({ ...MULAW, lookaheadMs: 30 })).toThrow(/lookaheadMs must be an integer within 40..200/);
  });

  it('converts capture through the DSP path with local VAD edges, and plays PCM16 24k out as mu-law', async () => {
    const call = engine.open(DSP);
    expect(call.playoutDelaySamples).toBeGreaterThan(0);
    const { pcm } = speechScene(8000, 1, -45, 20, 3);
    const mulaw = Buffer.alloc(pcm.length);
    const { ulawEncode } = await import('../../../src/media/reference/g711.js');
    ulawEncode(pcm, mulaw);
    expect(call.writeCapture(mulaw.subarray(0, 8000 * 0.9))).toBe('ok'); // bounded at 1 s
    const out = new Collector(engine, call);
    let captured = 0;
    let written = 8000 * 0.9;
    await untilTick(engine, () => {
      captured += call.readCapture().length;
      if (written < mulaw.length && call.writeCapture(mulaw.subarray(written, written + 1600)) === 'ok') written += 1600;
      return out.has('speech-stop');
    }, 20000);
    expect(out.events.filter((e) => e.type === 'speech-start')).toHaveLength(1);
    expect(captured).toBeGreaterThan(0);
    expect(captured % 960).toBe(0); // whole 20 ms frames of PCM16 24k
  });

  it('close resolves after the acknowledgement; the call is inert afterwards; capacity is enforced', async () => {
    const call = engine.open(MULAW);
    call.writePlayout(taggedMulaw(1, 4800), { epoch: 0, item: 1 });
    call.setState('finishing');
    await ticks(engine, 2);
    let acked = false;
    const closing = call.close().then(() => (acked = true));
    expect(call.close()).toBe(call.close());
    expect(acked).toBe(false);
    expect(call.writePlayout(taggedMulaw(1, 10), { epoch: 0, item: 1 })).toBe('closed');
    await closing;
    expect(engine.stats().calls).toBe(0);
    expect(call.delivered(1)).toBeUndefined();
    for (let i = 0; i < 8; i++) engine.open(MULAW);
    expect(() => engine.open(MULAW)).toThrow(expect.objectContaining({ code: 'ERR_MEDIA_CAPACITY' }));
  });
});

describe('JS engine vs native engine: the same script gives the same output', () => {
  it('frames, epochs, items, delivered counts and VAD edges are identical (DSP path, with a flush)', async () => {
    async function runScript(engine: MediaEngine): Promise<{ frames: string[]; events: string[]; delivered: (number | undefined)[] }> {
      try {
        const call = engine.open({ ...DSP, lookaheadMs: 200, playoutCapacityMs: 5000 });
        const out = new Collector(engine, call);
        const speech = tone(24000, 440, 12000, 24000); // 1 s
        // Write everything first, in the idle state, so the tick timing cannot matter.
        call.writePlayout(pcmBytes(speech.subarray(0, 12000)), { epoch: 0, item: 1 });
        call.writePlayout(pcmBytes(speech.subarray(12000)), { epoch: 0, item: 2 });
        call.setState('finishing');
        await untilTick(engine, () => out.has('drained'), 10000);
        call.requestFlush(1);
        call.writePlayout(pcmBytes(tone(24000, 700, 9000, 4810)), { epoch: 1, item: 3 });
        await untilTick(engine, () => out.has('flushed') && out.events.filter((e) => e.type === 'drained').length >= 2, 10000);
        out.stop();
        return {
          frames: out.frames.map((f) => `${f.epoch}/${f.item}/${f.samples}/${f.bytes.toString('hex')}`),
          events: out.events.filter((e) => e.type !== 'underrun').map((e) => JSON.stringify({ ...e, tick: 0 })),
          delivered: [1, 2, 3].map((i) => call.delivered(i)),
        };
      } finally {
        await engine.close();
      }
    }
    const native = await runScript(new NativeMediaEngine({ tickMs: 2 }));
    const js = await runScript(new JsMediaEngine({ tickMs: 2 }));
    expect(js.delivered).toEqual([12000, 12000, 4810]);
    expect(js.delivered).toEqual(native.delivered);
    expect(js.frames.length).toBe(native.frames.length);
    expect(js.frames).toEqual(native.frames);
    expect(js.events).toEqual(native.events);
  });

  it("createMediaEngine('js') and PARLEY_MEDIA=js give this engine", async () => {
    const e = await createMediaEngine('js', { tickMs: 5 });
    expect(e).toBeInstanceOf(JsMediaEngine);
    await e.close();
    const saved = process.env.PARLEY_MEDIA;
    process.env.PARLEY_MEDIA = 'js';
    try {
      const f = await createMediaEngine(undefined, { tickMs: 5 });
      expect(f).toBeInstanceOf(JsMediaEngine);
      await f.close();
    } finally {
      if (saved === undefined) delete process.env.PARLEY_MEDIA;
      else process.env.PARLEY_MEDIA = saved;
    }
  });
});
