import { describe, expect, it } from 'vitest';
import { TwilioMarkTracker } from '../../src/telephony/twilio/marks.js';
import { InjectBuffer } from '../../src/telephony/audio-stream/inject-buffer.js';
import { AudioStreamFarSide } from '../../src/telephony/audio-stream/far-side.js';
import { createFarSideModel } from '../../src/telephony/index.js';

describe('Twilio mark tracker', () => {
  it('advances the heard position only on echoes, in order', () => {
    const t = new TwilioMarkTracker();
    const marks = [0, 1, 2, 3].map(() => t.onSent({ epoch: 1, item: 5, durationMs: 20 })!);
    expect(new Set(marks).size).toBe(4);
    expect(t.sentMs(5)).toBe(80);
    expect(t.heardMs(5)).toBe(0);
    expect(t.queuedMs()).toBe(80);
    expect(t.onMark(marks[1]!)).toBe('played'); // implies marks[0] played too
    expect(t.heardMs(5)).toBe(40);
    expect(t.queuedMs()).toBe(40);
    expect(t.onMark(marks[0]!)).toBe('unknown'); // already consumed
  });

  it('never counts marks returned by a clear as played (BI4)', () => {
    const t = new TwilioMarkTracker();
    const a = t.onSent({ epoch: 1, item: 1, durationMs: 20 })!;
    const b = t.onSent({ epoch: 1, item: 1, durationMs: 20 })!;
    const c = t.onSent({ epoch: 1, item: 1, durationMs: 20 })!;
    expect(t.onMark(a)).toBe('played');
    t.onClear();
    expect(t.queuedMs()).toBe(0);
    expect(t.onMark(b)).toBe('cleared');
    expect(t.onMark(c)).toBe('cleared');
    expect(t.heardMs(1)).toBe(20);
    // the next epoch's marks work again
    const d = t.onSent({ epoch: 2, item: 2, durationMs: 20 })!;
    expect(t.onMark(d)).toBe('played');
    expect(t.heardMs(2)).toBe(20);
    expect(t.onMark('nonsense')).toBe('unknown');
  });

  it('reports chunks sent without a mark with the next marked one (one mark per write)', () => {
    const t = new TwilioMarkTracker();
    expect(t.onSent({ epoch: 1, item: 5, durationMs: 20 }, 0, false)).toBeUndefined();
    expect(t.onSent({ epoch: 1, item: 5, durationMs: 20 }, 0, false)).toBeUndefined();
    const a = t.onSent({ epoch: 1, item: 5, durationMs: 20 }, 0, true)!;
    expect(t.queuedMs()).toBe(60);
    expect(t.onMark(a)).toBe('played'); // the two unmarked chunks before it played too
    expect(t.heardMs(5)).toBe(60);
    expect(t.queuedMs()).toBe(0);
    // A mark covering chunks of two items advances both.
    t.onSent({ epoch: 1, item: 5, durationMs: 20 }, 0, false);
    const b = t.onSent({ epoch: 1, item: 6, durationMs: 20 }, 0, true)!;
    expect(t.onMark(b)).toBe('played');
    expect(t.heardMs(5)).toBe(80);
    expect(t.heardMs(6)).toBe(20);
    // Unmarked chunks a clear dropped are never heard, and the next mark does not cover them.
    t.onSent({ epoch: 1, item: 6, durationMs: 20 }, 0, false);
    t.onClear();
    expect(t.queuedMs()).toBe(0);
    const c = t.onSent({ epoch: 2, item: 7, durationMs: 20 }, 0, true)!;
    expect(t.onMark(c)).toBe('played');
    expect(t.heardMs(6)).toBe(20);
    expect(t.heardMs(7)).toBe(20);
  });

  it('keeps positions per item and bounds its memory', () => {
    const t = new TwilioMarkTracker();
    for (let item = 0; item < 200; item++) t.onMark(t.onSent({ epoch: 0, item, durationMs: 10 })!);
    expect(t.heardMs(199)).toBe(10);
    expect(t.heardMs(0)).toBe(0); // forgotten
  });
});

describe('mod_audio_stream inject buffer', () => {
  const tag = { epoch: 0, item: 1 };
  it('holds back the last < 60 ms (minimum fill gate) until more audio or a clear', () => {
    const b = new InjectBuffer({ sampleRate: 8000 });
    expect(b.frameBytes).toBe(320);
    b.write(tag, 320 * 4); // 80 ms
    expect(b.read().played).toEqual([{ tag, bytes: 320 }]); // 80 → 60
    expect(b.read().played).toEqual([{ tag, bytes: 320 }]); // 60 → 40
    const r = b.read(); // 40 < 60: nothing
    expect(r.played).toEqual([]);
    expect(r.short).toBe(true);
    expect(b.inuseBytes).toBe(640);
    b.write(tag, 320); // 60 again
    expect(b.read().played).toEqual([{ tag, bytes: 320 }]);
    expect(b.clear()).toBe(640);
    expect(b.inuseBytes).toBe(0);
  });

  it('cuts the trailing partial 20 ms of messages of 20 ms or more, keeps shorter ones', () => {
    const b = new InjectBuffer({ sampleRate: 16000, minFillMs: 0 });
    expect(b.write(tag, 640 + 100)).toEqual({ queuedBytes: 640, alignmentLoss: 100, overflowDrop: 0 });
    expect(b.write(tag, 101)).toEqual({ queuedBytes: 100, alignmentLoss: 1, overflowDrop: 0 });
  });

  it('drops the oldest whole frames on overflow', () => {
    const b = new InjectBuffer({ sampleRate: 8000, capacityMs: 200 }); // 3200 B (the module minimum)
    const old = { epoch: 0, item: 1 };
    const young = { epoch: 0, item: 2 };
    b.write(old, 3200);
    const w = b.write(young, 330); // 330 B → 320 B after alignment; over by 320 → drop one frame
    expect(w).toEqual({ queuedBytes: 320, alignmentLoss: 10, overflowDrop: 320 });
    expect(b.inuseBytes).toBe(3200);
  });

  it('plays real bytes in order across chunks when given data', () => {
    const b = new InjectBuffer({ sampleRate: 8000, minFillMs: 0 });
    b.write({ epoch: 0, item: 1 }, Buffer.alloc(200, 1));
    b.write({ epoch: 0, item: 2 }, Buffer.alloc(200, 2));
    const r = b.read();
    expect(r.frame?.subarray(0, 200).every((x) => x === 1)).toBe(true);
    expect(r.frame?.subarray(200, 320).every((x) => x === 2)).toBe(true);
    expect(r.played.map((p) => [p.tag.item, p.bytes])).toEqual([[1, 200], [2, 120]]);
  });
});

describe('mod_audio_stream far-side model', () => {
  it('estimates heard audio on the module clock, within a frame', () => {
    const m = new AudioStreamFarSide({ sampleRate: 8000 });
    // 5 × 20 ms sent at t=0 (lookahead burst), then one every 20 ms until 400 ms sent
    for (let i = 0; i < 5; i++) m.onSent({ epoch: 1, item: 3, durationMs: 20 }, 0);
    for (let t = 20; t <= 300; t += 20) m.onSent({ epoch: 1, item: 3, durationMs: 20 }, t);
    expect(m.sentMs(3)).toBe(400);
    // first tick at 10 ms, then every 20: by t=300 ticks at 10..290 = 15 frames = 300 ms heard
    expect(m.heardMs(3, 300)).toBe(300);
    expect(m.queuedMs(300)).toBe(100);
    // at the end 40 ms (< 60 ms min fill) stays stranded forever
    expect(m.heardMs(3, 10_000)).toBe(360);
    expect(m.queuedMs(10_000)).toBe(40);
    m.onClear(10_000);
    expect(m.queuedMs(10_000)).toBe(0);
    expect(m.heardMs(3, 20_000)).toBe(360);
    expect(m.onMark('x', 0)).toBe('unknown');
  });

  it('stops the heard position at the clear (barge-in)', () => {
    const m = createFarSideModel('audio-stream', { codec: 'pcm16', rate: 16000 });
    for (let i = 0; i < 50; i++) m.onSent({ epoch: 1, item: 1, durationMs: 20 }, 0); // 1 s at once
    m.onClear(105); // ticks at 10, 30, 50, 70, 90 → 100 ms heard
    expect(m.heardMs(1, 5000)).toBe(100);
    expect(m.sentMs(1)).toBe(1000);
  });
});
