// `npm run bench -- playout [--seconds 10] [--calls 1000] [--flushes 40] [--ring-frames 200000]`
//
// The native playout core, measured:
//  ring   ns to write one tagged 20 ms frame into a playout ring and read it back (C++ only,
//         one thread);
//  load   with `calls` calls registered and playing for `seconds` at the real 20 ms tick, JS
//         feeding and draining every call as the bridge would: media-thread tick lateness
//         p50/p99/max, tick work, missed ticks, JS wake-ups per second, JS time per wake-up;
//  flush  during that load, barge-ins on random calls: ticks from requestFlush (counted from
//         the last tick completed at the request) to the tick that executed it, and ms from
//         the request to JS seeing the 'flushed' event.
// Prints a few human lines on stderr and one JSON object as the last line of stdout.
import { cpus } from 'node:os';
import { loadNativeAddon } from '../src/media/binding.js';
import { NativeMediaEngine, type MediaCall } from '../src/media/index.js';

interface Args {
  seconds: number;
  calls: number;
  flushes: number;
  ringFrames: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { seconds: 10, calls: 1000, flushes: 40, ringFrames: 200_000 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
    const value = Number(argv[i + 1]);
    if (!key || !(key in args) || !Number.isFinite(value) || value <= 0) {
      throw new Error(`usage: playout [--seconds N] [--calls N] [--flushes N] [--ring-frames N] (bad '${argv[i] ?? ''}')`);
    }
    args[key as keyof Args] = value;
  }
  return args;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
const ms = (ns: number): number => round(ns / 1e6);

function benchRing(frames: number) {
  const addon = loadNativeAddon();
  addon.benchRing(960, Math.min(frames, 20_000)); // warm up
  const pcm24k = addon.benchRing(960, frames); // PCM16 24 kHz: the AI side of a playout ring
  const mulaw8k = addon.benchRing(160, frames); // G.711 8 kHz
  return {
    frames,
    pcm16_24k: { frameBytes: 960, writeReadNsPerFrame: round(pcm24k.singleThreadNs, 1) },
    mulaw_8k: { frameBytes: 160, writeReadNsPerFrame: round(mulaw8k.singleThreadNs, 1) },
  };
}

interface Fed {
  call: MediaCall;
  item: number;
  written: number;
  flushAt: { tick: number; t: number } | undefined;
}

async function benchLoad(args: Args) {
  const engine = new NativeMediaEngine({ maxCalls: Math.max(args.calls, 1) });
  const chunk = Buffer.alloc(160, 0x55); // 20 ms of mu-law
  const fed: Fed[] = [];
  for (let i = 0; i < args.calls; i++) {
    const call = engine.open({ telephony: { codec: 'mulaw', rate: 8000 }, ai: { codec: 'mulaw', rate: 8000 } });
    for (let k = 0; k < 10; k++) call.writePlayout(chunk, { epoch: 0, item: 0 }); // 200 ms queued
    call.setState('playing');
    fed.push({ call, item: 0, written: 10, flushAt: undefined });
  }

  const jsMs: number[] = [];
  const flushTicks: number[] = [];
  const flushMs: number[] = [];
  let lastTick = -1;
  let frames = 0;
  let captured = 0;
  let underrunEvents = 0;
  let flushesLeft = args.flushes;
  const flushEvery = Math.max(1, Math.floor((args.seconds * 50) / Math.max(args.flushes, 1)));
  let wakes = 0;

  const off = engine.onTick((info) => {
    const t0 = performance.now();
    wakes++;
    // A wake-up may cover several ticks when JS was late: feed what the far side played.
    const elapsed = lastTick < 0 ? 1 : Math.max(1, info.tick - lastTick);
    lastTick = info.tick;
    for (const f of fed) {
      const { call } = f;
      frames += call.readPlayout().length;
      captured += call.readCapture().length;
      for (const ev of call.events()) {
        if (ev.type === 'underrun') underrunEvents++;
        if (ev.type === 'flushed' && f.flushAt) {
          flushTicks.push(ev.tick - f.flushAt.tick);
          flushMs.push(performance.now() - f.flushAt.t);
          f.flushAt = undefined;
          // As the playout machine would: prefill the lookahead of new audio, then play.
          for (let k = 0; k < 10; k++) call.writePlayout(chunk, { epoch: call.epoch, item: ++f.item });
          call.setState('playing');
        }
      }
      if (f.flushAt) continue; // barge-in in progress: the machine is in 'flushing'
      for (let k = 0; k < elapsed; k++) {
        if (f.written % 50 === 0) f.item++;
        call.writePlayout(chunk, { epoch: call.epoch, item: f.item });
        call.writeCapture(chunk);
        f.written++;
      }
    }
    if (flushesLeft > 0 && wakes % flushEvery === 0) {
      const f = fed[Math.floor(Math.random() * fed.length)];
      if (f && !f.flushAt) {
        flushesLeft--;
        f.call.setState('flushing');
        f.call.requestFlush(f.call.epoch + 1);
        f.flushAt = { tick: engine.lastTick(), t: performance.now() };
      }
    }
    jsMs.push(performance.now() - t0);
  });

  // Settle, then measure from a clean mark.
  await new Promise((r) => setTimeout(r, 500));
  engine.markStats();
  const s0 = engine.stats();
  jsMs.length = 0;
  frames = 0;
  captured = 0;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, args.seconds * 1000));
  const seconds = (performance.now() - t0) / 1000;
  const s1 = engine.stats();
  off();
  const counters = fed.map((f) => f.call.counters());
  await engine.close();

  const js = [...jsMs].sort((a, b) => a - b);
  const ft = [...flushTicks].sort((a, b) => a - b);
  const fm = [...flushMs].sort((a, b) => a - b);
  return {
    load: {
      calls: args.calls,
      seconds: round(seconds, 2),
      tickMs: 20,
      ticks: s1.ticks - s0.ticks,
      latenessMs: { p50: ms(s1.lateness.p50Ns), p99: ms(s1.lateness.p99Ns), max: ms(s1.lateness.maxNs), ticks: s1.lateness.samples },
      tickWorkMs: { p50: ms(s1.tickWork.p50Ns), p99: ms(s1.tickWork.p99Ns), max: ms(s1.tickWork.maxNs) },
      missedTicks: s1.missedTicks - s0.missedTicks,
      wakeupsPerSecond: round((s1.wakeups - s0.wakeups) / seconds, 1),
      coalescedWakeupsPerSecond: round((s1.coalescedWakeups - s0.coalescedWakeups) / seconds, 1),
      jsPerWakeupMs: { p50: round(percentile(js, 50)), p99: round(percentile(js, 99)), max: round(js.at(-1) ?? 0) },
      framesPerSecond: round(frames / seconds, 0),
      captureBytesPerSecond: round(captured / seconds, 0),
      underruns: counters.reduce((a, c) => a + c.underruns, 0),
      underrunEvents,
      playoutFull: counters.reduce((a, c) => a + c.playoutFull, 0),
      eventsDropped: s1.eventsDropped,
      mediaThreadSched: s1.sched,
    },
    flush: {
      count: ft.length,
      latencyTicks: { p50: percentile(ft, 50), max: ft.at(-1) ?? 0 },
      requestToEventMs: { p50: round(percentile(fm, 50)), p99: round(percentile(fm, 99)), max: round(fm.at(-1) ?? 0) },
    },
  };
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const ring = benchRing(args.ringFrames);
  process.stderr.write(`ring: ${ring.pcm16_24k.writeReadNsPerFrame} ns per 960-byte frame (write + read, one thread)\n`);
  const { load, flush } = await benchLoad(args);
  process.stderr.write(
    `load: ${load.calls} calls, ${load.seconds} s: lateness p50 ${load.latenessMs.p50} ms, p99 ${load.latenessMs.p99} ms, max ${load.latenessMs.max} ms; ` +
      `${load.wakeupsPerSecond} wake-ups/s; JS ${load.jsPerWakeupMs.p50} ms per wake-up\n` +
      `flush: ${flush.count} barge-ins, ${flush.latencyTicks.p50} tick(s) p50, ${flush.latencyTicks.max} max\n`,
  );
  const result = {
    bench: 'playout',
    machine: { cpus: cpus().length, node: process.version },
    ring,
    load,
    flush,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
