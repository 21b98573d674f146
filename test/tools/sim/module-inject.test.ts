// The caller's own emulation of mod_audio_stream's inject buffer, checked against what the module's
// source does (processMessage, the WRITE_REPLACE callback, switch_buffer_write), not against Parley.
import { describe, expect, it } from 'vitest';
import { ModuleInject } from '../../../src/tools/sim/caller/module-inject.js';

const RATE = 8000; // 16 bytes per ms, 320 bytes per 20 ms frame
const ms = (n: number) => n * 16;

describe('mod_audio_stream inject emulation', () => {
  it('cuts each message to whole samples, then (from 20 ms up) to whole 20 ms frames', () => {
    const m = new ModuleInject({ rate: RATE });
    expect(m.inject(ms(50))).toEqual({ written: ms(40), cut: ms(10), lost: 0 });
    expect(m.inject(ms(10) + 1)).toEqual({ written: ms(10), cut: 1, lost: 0 }); // < 20 ms: kept, odd byte dropped
    expect(m.inuse).toBe(ms(50));
  });

  it('reads a frame per callback only while the minimum fill is buffered: the tail is stranded', () => {
    const m = new ModuleInject({ rate: RATE });
    m.inject(ms(40));
    expect(m.writeReplace().got).toBe(0); // 40 < 60 ms
    m.inject(ms(60));
    const got = [1, 2, 3, 4, 5].map(() => m.writeReplace().got);
    expect(got).toEqual([320, 320, 320, 0, 0]); // 100 ms → 60 played, 40 ms left stranded
    expect(m.inuse).toBe(ms(40));
    expect(m.underruns).toBe(3); // the module counts the gated reads (idle ones too)
    expect(m.clear()).toBe(ms(40));
    expect(m.inuse).toBe(0);
  });

  it('with the gate off a short tail is read as a partial frame, zero-padded', () => {
    const m = new ModuleInject({ rate: RATE, minBufferMs: 0 });
    m.inject(Uint8Array.from({ length: ms(10) }, () => 7));
    const r = m.writeReplace();
    expect(r.got).toBe(ms(10));
    expect(Array.from(r.frame!.subarray(0, ms(10))).every((b) => b === 7)).toBe(true);
    expect(Array.from(r.frame!.subarray(ms(10))).every((b) => b === 0)).toBe(true);
  });

  it('overflow drops the oldest audio in whole 20 ms frames and keeps the order', () => {
    const m = new ModuleInject({ rate: RATE, bufferMs: 100 }); // 1600 B < the 3200 B floor: 200 ms
    expect(m.bufferLen).toBe(3200);
    m.inject(Uint8Array.from({ length: ms(180) }, (_, i) => (i < ms(20) ? 1 : 2)));
    expect(m.inject(Uint8Array.from({ length: ms(50) }, () => 3))).toEqual({ written: ms(40), cut: ms(10), lost: ms(20) });
    expect(m.inuse).toBe(ms(200));
    expect(m.writeReplace().frame![0]).toBe(2); // the first 20 ms (1s) went
  });

  it('a message larger than the buffer is lost whole, after the queued audio was dropped for it', () => {
    const m = new ModuleInject({ rate: RATE, bufferMs: 200 });
    m.inject(ms(100));
    expect(m.inject(ms(300))).toEqual({ written: 0, cut: 0, lost: ms(100) + ms(300) });
    expect(m.inuse).toBe(0);
  });
});
