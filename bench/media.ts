// `npm run bench -- media [--frames N] [--install] [--paths-only]`: the media core's per-frame
// cost and quality. Prints progress to stderr and one JSON object as the last stdout line:
//  paths       ns per 20 ms frame of the capture and playout paths, native vs the TypeScript
//              reference and their ratio, for every telephony x AI format pair, without and
//              with the original TTS chain (cascade mode's playout);
//  budget      every path, the TTS chain included, <= 2 us per frame native and >= 10x the
//              reference (withoutTtsChain: the same over the paths without it);
//  resampling  Parley's resampler vs SpeexDSP quality 7 and libsoxr HQ (when installed;
//              --install apt-gets libspeexdsp-dev and libsoxr-dev): ns/frame, latency, ripple,
//              stopband, sweep SNR, through bench/media-compare.cc compiled here;
//  vad         detection latency and false triggers on synthetic speech-like bursts in noise.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadNativeAddon } from '../src/media/binding.js';
import { alawEncode, ulawEncode } from '../src/media/reference/g711.js';
import { makeCallPaths, DSP_PATH_DEFAULTS } from '../src/media/reference/paths.js';
import { PLAYOUT_DSP_DEFAULTS } from '../src/media/reference/playoutDsp.js';
import { VAD_DEFAULTS, Vad, type VadEvent } from '../src/media/reference/vad.js';
import { addNoise, dbfsRms, prng, scoreVad, speechScene, toPcm } from '../src/media/reference/testSignals.js';
import type { AudioFormat } from '../src/media/types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

interface NativeBench {
  dspBenchPaths(tel: string, telRate: number, ai: string, aiRate: number, frames: number, opts?: { ttsChain?: boolean }): { captureNs: number; playoutNs: number };
  DspVad: new (rate: number, cfg?: object) => { process(x: Int16Array): { kind: string; at: number }[] };
}

const TELEPHONY: AudioFormat[] = [
  { codec: 'mulaw', rate: 8000 },
  { codec: 'alaw', rate: 8000 },
  { codec: 'pcm16', rate: 8000 },
  { codec: 'pcm16', rate: 16000 },
];
const AI: AudioFormat[] = [
  { codec: 'pcm16', rate: 24000 },
  { codec: 'mulaw', rate: 8000 },
  { codec: 'alaw', rate: 8000 },
];
const fmt = (f: AudioFormat): string => `${f.codec}/${f.rate}`;

/** A speech-band signal in `f`'s encoding: `frames` 20 ms frames, concatenated. */
function signalBytes(f: AudioFormat, frames: number): Uint8Array {
  const n = (f.rate / 50) * frames;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / f.rate;
    pcm[i] = Math.round(9000 * Math.sin(2 * Math.PI * 310 * t) + 5000 * Math.sin(2 * Math.PI * 1750 * t)) + ((i * 7919) % 601) - 300;
  }
  if (f.codec === 'pcm16') return new Uint8Array(pcm.buffer);
  const out = new Uint8Array(n);
  (f.codec === 'mulaw' ? ulawEncode : alawEncode)(pcm, out);
  return out;
}

/**
 * Best ns per frame of `frame(k)` over batches of BATCH_FRAMES frames, several passes over the
 * signal: a short batch is rarely preempted on a shared machine, so the minimum is the
 * undisturbed cost. The native side (dspBenchPaths) times its paths the same way.
 */
const BATCH_FRAMES = 20;
function bestNs(frames: number, frame: (k: number) => void): number {
  let best = Infinity;
  for (let pass = 0; pass < 7; pass++) {
    for (let k0 = 0; k0 < frames; k0 += BATCH_FRAMES) {
      const k1 = Math.min(frames, k0 + BATCH_FRAMES);
      const t0 = process.hrtime.bigint();
      for (let k = k0; k < k1; k++) frame(k);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / (k1 - k0));
    }
  }
  return best;
}

function referencePaths(tel: AudioFormat, ai: AudioFormat, frames: number, ttsChain: boolean): { captureNs: number; playoutNs: number } {
  const o = { ...DSP_PATH_DEFAULTS, playout: { ...PLAYOUT_DSP_DEFAULTS, ttsChain } };
  const { capture, playout } = makeCallPaths(tel, ai, o);
  const capIn = signalBytes(tel, frames);
  const playIn = signalBytes(ai, frames);
  const out = new Uint8Array(Math.max(capture.outMaxBytes, playout.outFrameBytes));
  const ci = capture.inFrameBytes;
  const pi = playout.inFrameBytes;
  return {
    captureNs: bestNs(frames, (k) => capture.process(capIn.subarray(k * ci, (k + 1) * ci), out)),
    playoutNs: bestNs(frames, (k) => playout.process(playIn.subarray(k * pi, (k + 1) * pi), out)),
  };
}

function benchPaths(native: NativeBench, frames: number): object[] {
  const rows: object[] = [];
  for (const tel of TELEPHONY) {
    for (const ai of AI) {
      if (tel.codec === ai.codec && tel.rate === ai.rate) continue; // identity pair: a copy
      for (const ttsChain of [false, true]) {
        const n = native.dspBenchPaths(tel.codec, tel.rate, ai.codec, ai.rate, frames, { ttsChain });
        const r = referencePaths(tel, ai, Math.max(50, Math.floor(frames / 4)), ttsChain);
        const row = {
          telephony: fmt(tel),
          ai: fmt(ai),
          ttsChain,
          capture: { nativeNs: Math.round(n.captureNs), referenceNs: Math.round(r.captureNs), ratio: +(r.captureNs / n.captureNs).toFixed(1) },
          playout: { nativeNs: Math.round(n.playoutNs), referenceNs: Math.round(r.playoutNs), ratio: +(r.playoutNs / n.playoutNs).toFixed(1) },
        };
        log(`paths ${row.telephony} <-> ${row.ai}${ttsChain ? ' +tts' : ''}: capture ${row.capture.nativeNs} ns (x${row.capture.ratio}), playout ${row.playout.nativeNs} ns (x${row.playout.ratio})`);
        rows.push(row);
      }
    }
  }
  return rows;
}

function haveHeader(h: string): boolean {
  return existsSync(`/usr/include/${h}`);
}

function installLibs(): void {
  const missing = ['libspeexdsp-dev', 'libsoxr-dev'].filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
  if (missing.length === 0) return;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  log(`installing ${missing.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'update', '-qq'], { stdio: 'ignore', env });
  spawnSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'install', '-y', '-qq', ...missing], { stdio: 'ignore', env });
}

function benchResampling(install: boolean): object {
  if (install) installLibs();
  const speex = haveHeader('speex/speex_resampler.h');
  const soxr = haveHeader('soxr.h');
  const dir = `${root}.build/bench-media`;
  mkdirSync(dir, { recursive: true });
  const bin = `${dir}/compare`;
  const args = ['-O2', '-std=c++20', `-I${root}native/src`, `${root}bench/media-compare.cc`];
  for (const f of ['resampler', 'resampler_design', 'detmath']) args.push(`${root}native/src/core/dsp/${f}.cc`);
  if (speex) args.push('-DHAVE_SPEEX', '-lspeexdsp');
  if (soxr) args.push('-DHAVE_SOXR', '-lsoxr');
  args.push('-o', bin);
  try {
    execFileSync('g++', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    return { error: `could not compile bench/media-compare.cc: ${String((err as { stderr?: Buffer }).stderr ?? err)}` };
  }
  const out = JSON.parse(execFileSync(bin, { encoding: 'utf8' })) as { kernel: string; results: { lib: string; in: number; out: number; nsPerFrame: number; latencyMs: number; sweepSnrDb: number; stopbandDb: number }[] };
  for (const r of out.results) log(`resample ${r.lib} ${r.in}->${r.out}: ${r.nsPerFrame} ns/frame, latency ${r.latencyMs} ms, stop ${r.stopbandDb} dB, SNR ${r.sweepSnrDb} dB`);
  return {
    librariesFound: { speexdsp: speex, soxr },
    note: speex && soxr ? undefined : 'run with --install (root or sudo) to compare against SpeexDSP q7 and soxr HQ',
    stopbandNote: 'stopband = worst tone from 0.55 x the lower rate up (an all-zero output reports 143 dB); aliasBand050to055Db: tones between 0.50 and 0.55 x (the transition band of Parley voice)',
    ...out,
  };
}

function benchVad(native: NativeBench): object {
  const starts = (pcm: Int16Array, rate: number): number[] => {
    const vad = new Vad(rate, VAD_DEFAULTS);
    const ev: VadEvent[] = [];
    for (let o = 0; o < pcm.length; o += rate / 50) vad.process(pcm.subarray(o, o + rate / 50), ev);
    return ev.filter((e) => e.kind === 'speech_start').map((e) => e.at);
  };
  const detection: object[] = [];
  for (const rate of [8000, 16000]) {
    for (const snr of [20, 10, 5, 0]) {
      const { pcm, bursts } = speechScene(rate, 60, -45, snr, rate + snr);
      const s = scoreVad(starts(pcm, rate), bursts, rate, VAD_DEFAULTS.hangoverMs);
      const nativeSame = JSON.stringify(native.DspVad ? new native.DspVad(rate, VAD_DEFAULTS).process(pcm).filter((e) => e.kind === 'speech_start').map((e) => e.at) : null) === JSON.stringify(starts(pcm, rate));
      detection.push({ rate, snrDb: snr, ...s, meanLatencyMs: +s.meanLatencyMs.toFixed(1), maxLatencyMs: +s.maxLatencyMs.toFixed(1), nativeIdentical: nativeSame });
      log(`vad ${rate} Hz SNR ${snr} dB: ${s.detected}/${s.bursts} found, latency mean ${s.meanLatencyMs.toFixed(1)} ms max ${s.maxLatencyMs.toFixed(1)} ms, ${s.falseStarts} false`);
    }
  }
  // False triggers per minute on noise alone: stationary, drifting, and clicks.
  const rate = 8000;
  const minutes = 5;
  const n = rate * 60 * minutes;
  const stationary = new Float64Array(n);
  addNoise(stationary, dbfsRms(-45), prng(11));
  const drifting = new Float64Array(n);
  addNoise(drifting, 1, prng(12));
  for (let i = 0; i < n; i++) drifting[i] = drifting[i]! * dbfsRms(-55 + 15 * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (rate * 30))));
  const clicks = new Float64Array(n);
  addNoise(clicks, dbfsRms(-50), prng(13));
  for (let p = rate; p + 16 < n; p += (rate * 3) / 10) for (let i = 0; i < 16; i++) clicks[p + i] = clicks[p + i]! + (i % 2 ? 1 : -1) * dbfsRms(-6);
  const perMinute = (x: Float64Array): number => starts(toPcm(x), rate).length / minutes;
  const falseTriggers = { stationaryNoisePerMin: perMinute(stationary), driftingNoisePerMin: perMinute(drifting), clicksEvery300msPerMin: perMinute(clicks) };
  log(`vad false triggers per minute: ${JSON.stringify(falseTriggers)}`);
  return { config: VAD_DEFAULTS, detection, falseTriggers, signal: '60 speech-like bursts (voiced harmonics, 4 Hz syllables) of 0.4-1.5 s in white noise at -45 dBFS' };
}

export async function run(argv: string[]): Promise<void> {
  const framesArg = argv.indexOf('--frames');
  const frames = framesArg >= 0 ? Number(argv[framesArg + 1]) : 2000;
  const native = loadNativeAddon() as unknown as NativeBench;
  const paths = benchPaths(native, frames) as { ttsChain: boolean; capture: { nativeNs: number; ratio: number }; playout: { nativeNs: number; ratio: number } }[];
  const judge = (rows: typeof paths) => {
    const worstNs = Math.max(...rows.flatMap((p) => [p.capture.nativeNs, p.playout.nativeNs]));
    const minRatio = Math.min(...rows.flatMap((p) => [p.capture.ratio, p.playout.ratio]));
    return { maxNativeNsPerFrame: worstNs, withinTwoMicroseconds: worstNs <= 2000, minRatioVsReference: minRatio, atLeastTenTimes: minRatio >= 10 };
  };
  const budget = { ...judge(paths), withoutTtsChain: judge(paths.filter((p) => !p.ttsChain)) };
  log(`budget: worst ${budget.maxNativeNsPerFrame} ns/frame, min ratio x${budget.minRatioVsReference} (without the TTS chain: ${budget.withoutTtsChain.maxNativeNsPerFrame} ns, x${budget.withoutTtsChain.minRatioVsReference})`);
  if (argv.includes('--paths-only')) {
    console.log(JSON.stringify({ bench: 'media', frames, budget, paths }));
    return;
  }
  const resampling = benchResampling(argv.includes('--install'));
  const vad = benchVad(native);
  console.log(JSON.stringify({ bench: 'media', frames, budget, paths, resampling, vad }));
}
