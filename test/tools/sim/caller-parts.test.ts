import { describe, expect, it } from 'vitest';
import { TwilioFarEnd, ModuleFarEnd } from '../../../src/tools/sim/caller/far-end.js';
import { parseScript, DEFAULT_SCRIPT } from '../../../src/tools/sim/caller/script.js';
import { percentiles } from '../../../src/tools/sim/caller/stats.js';
import { decodeWav, encodeWav } from '../../../src/tools/sim/audio/wav.js';
import { alawDecode, alawEncode, mulawDecode, mulawEncode } from '../../../src/tools/sim/audio/g711.js';
import { resampleLinear, rmsDbfs } from '../../../src/tools/sim/audio/pcm.js';
import { speech } from '../../../src/tools/sim/audio/synth.js';

describe('far ends', () => {
  it('Twilio plays at 160 samples per tick, echoes marks when reached, and returns pending marks on clear', () => {
    const f = new TwilioFarEnd(160, true);
    f.pushMark('m0'); // nothing before it: reached at once
    f.pushAudio(Int16Array.from({ length: 240 }, () => 100));
    f.pushMark('m1');
    f.pushAudio(200);
    f.pushMark('m2');
    let t = f.tick();
    expect(t).toMatchObject({ played: 160, echoes: ['m0'] });
    t = f.tick();
    expect(t.played).toBe(160);
    expect(t.echoes).toEqual(['m1']); // 240 played → m1 reached mid-frame
    expect(f.queuedSamples).toBe(120);
    expect(f.clear()).toEqual(['m2']);
    expect(f.tick()).toMatchObject({ played: 0, echoes: [] });
  });

  it('the module far end gates on the minimum fill', () => {
    const f = new ModuleFarEnd(8000, false);
    f.pushAudio(400); // 50 ms, cut to 40 ms (whole 20 ms frames) — below the 60 ms fill
    expect(f.alignmentLoss).toBe(80);
    expect(f.tick().played).toBe(0);
    f.pushAudio(160);
    expect(f.tick().played).toBe(160);
    expect(f.queuedSamples).toBe(320);
    expect(f.tick().played).toBe(0); // 40 ms stranded
  });
});

describe('scripts', () => {
  it('parses the text form', () => {
    expect(parseScript('say:1200,listen,say:800,barge:600:1000,listen,hangup')).toEqual(DEFAULT_SCRIPT);
    expect(parseScript('silence:100, listen:300:2000, dtmf:#')).toEqual([
      { kind: 'silence', ms: 100 },
      { kind: 'listen', quietMs: 300, timeoutMs: 2000 },
      { kind: 'dtmf', digit: '#' },
    ]);
    expect(() => parseScript('say')).toThrow(/bad script step 'say'/);
    expect(() => parseScript('barge:100')).toThrow(/bad script step/);
    expect(parseScript('say:600,dtmf:4,wait-hangup:8000')).toEqual([
      { kind: 'say', ms: 600 },
      { kind: 'dtmf', digit: '4' },
      { kind: 'await_hangup', timeoutMs: 8000 },
    ]);
    expect(parseScript('wait-hangup')).toEqual([{ kind: 'await_hangup' }]);
    expect(() => parseScript('wait-hangup:1:2')).toThrow(/bad script step/);
    expect(() => parseScript('dance:1')).toThrow(/unknown script step/);
    expect(() => parseScript('')).toThrow(/empty/);
  });
});

describe('audio helpers', () => {
  it('G.711 round trips within the codec’s quantisation', () => {
    const pcm = Int16Array.from({ length: 2000 }, (_, i) => Math.round(Math.sin(i / 7) * 20000));
    for (const [enc, dec] of [[mulawEncode, mulawDecode], [alawEncode, alawDecode]] as const) {
      const back = dec(enc(pcm));
      for (let i = 0; i < pcm.length; i++) expect(Math.abs(back[i]! - pcm[i]!)).toBeLessThanOrEqual(Math.abs(pcm[i]!) / 16 + 16);
    }
    expect(mulawEncode(Int16Array.of(0))[0]).toBe(0xff);
    expect(alawEncode(Int16Array.of(0))[0]).toBe(0xd5);
  });

  it('WAV encode/decode round trips and rejects junk with a reason', () => {
    const samples = Int16Array.from([1, -1, 300, -300, 32767, -32768]);
    expect(decodeWav(encodeWav({ sampleRate: 16000, channels: 2, samples }))).toEqual({ sampleRate: 16000, channels: 2, samples });
    expect(() => decodeWav(Buffer.from('nope'))).toThrow(/RIFF/);
  });

  it('synthesized speech has speech-like level and rhythm; resampling keeps duration', () => {
    const s = speech(2000, { sampleRate: 8000, seed: 5 });
    const frames = Array.from({ length: 100 }, (_, i) => rmsDbfs(s, i * 160, (i + 1) * 160));
    const voiced = frames.filter((l) => l > -30).length;
    expect(voiced).toBeGreaterThan(50);
    expect(voiced).toBeLessThan(95); // gaps between syllables
    expect(rmsDbfs(s)).toBeGreaterThan(-26);
    expect(rmsDbfs(s)).toBeLessThan(-16);
    expect(resampleLinear(s, 8000, 24000).length).toBe(48000);
  });

  it('percentiles use nearest rank', () => {
    expect(percentiles([])).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
    expect(percentiles(Array.from({ length: 100 }, (_, i) => i + 1))).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
  });
});
