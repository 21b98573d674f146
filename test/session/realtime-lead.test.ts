// Issue 20 (part 3, Twilio at 1×): agent audio whose deltas arrive at exactly real time leaves the
// far side's buffer empty just before each delta, so any delivery jitter is a dropout. Twilio once
// had no cushion (lead = the 80 ms lookahead: the first 100 ms delta starts playout at once, and
// the far side holds 0 ms at every later delta's arrival); audio-stream kept one.
//
// Deterministic: the real playout machine and the JS reference core (ticked by hand, 20 ms per
// tick), the lead Parley gives each protocol (leadMs), and the simulated caller's own far-side
// emulation (Twilio's queue, mod_audio_stream's inject buffer with its 60 ms gate). The provider
// streams 100 ms deltas (the Realtime API's) or 200 ms chunks (a TTS provider's, which alone fill
// the lead) at 1×; every third one comes a tick (20 ms) or a TTS first-chunk latency late.
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { playoutMachine } from '../../machines/playout.js';
import { loadConfig } from '../../src/config/index.js';
import { resolveCallConfig } from '../../src/media/index.js';
import { JsCall } from '../../src/media/reference/jsCall.js';
import type { PlayoutState } from '../../src/generated/playout.js';
import { cushionMs, leadMs } from '../../src/session/open.js';
import { ModuleFarEnd, TwilioFarEnd, type FarEnd } from '../../src/tools/sim/caller/far-end.js';
import { platformOf } from '../../src/telephony/registry.js';
import type { TelephonyProtocol } from '../../src/telephony/types.js';

const RATE = 8000;
const FRAME = 160; // samples per 20 ms
const ANSWER_TICKS = 150; // a 3 s answer

interface Heard {
  readonly underruns: number;
  readonly underrunMs: number;
  readonly heardMs: number;
  /** All of it. */
  readonly expectedMs: number;
  readonly startTick: number;
}

/** Plays one answer whose `deltaTicks` deltas arrive at 1× (every `lateEvery`-th one `lateTicks` late). */
function play(protocol: TelephonyProtocol, deltaTicks: number, lateEvery: number, lateTicks: number, tail = 0): Heard {
  const DELTA_TICKS = deltaTicks;
  const DELTAS = ANSWER_TICKS / deltaTicks;
  const config = loadConfig({ env: {}, overrides: {} });
  const platform = platformOf(protocol);
  const lookaheadMs = leadMs(config, platform);
  // The AI side in µ-law 8 kHz (one byte a sample, no resampling); the leg in the protocol's codec.
  const telephony = { codec: protocol === 'twilio' ? ('mulaw' as const) : ('pcm16' as const), rate: RATE } as const;
  const call = new JsCall(1, resolveCallConfig({ telephony, ai: { codec: 'mulaw', rate: RATE }, lookaheadMs }));
  const machine = createActor(playoutMachine, { input: { lookaheadMs, cushionMs: cushionMs(config, platform) } }).start();
  const sync = () => {
    call.state = machine.getSnapshot().value as PlayoutState;
  };
  sync();
  const far: FarEnd = protocol === 'twilio' ? new TwilioFarEnd(FRAME, false) : new ModuleFarEnd(RATE, false, 5000, config.telephony.audioStreamMinFillMs);
  // The answer, plus a short last frame of `tail` samples.
  const total = DELTAS * DELTA_TICKS * FRAME + tail;
  const end = total;
  let padded = false;
  const arrivals = Array.from({ length: DELTAS }, (_, k) => k * DELTA_TICKS + (k > 0 && k % lateEvery === 0 ? lateTicks : 0));
  let next = 0;
  let played = 0;
  let underruns = 0;
  let underrunSamples = 0;
  let startTick = -1;
  for (let tick = 0; tick < DELTAS * DELTA_TICKS + 100 && played < end; tick++) {
    while (next < DELTAS && arrivals[next]! <= tick) {
      const n = DELTA_TICKS * FRAME + (next === DELTAS - 1 ? tail : 0);
      expect(call.writePlayout(new Uint8Array(n).fill(0x55), 0, 1)).toBe('ok');
      machine.send({ type: 'WRITE', bufferedMs: call.bufferedPlayoutBytes() / (RATE / 1000), chunkMs: n / (RATE / 1000) });
      if (++next === DELTAS) machine.send({ type: 'END_OF_RESPONSE' });
      sync();
    }
    call.tick({ tick, elapsed: 1, produced: false });
    for (const f of call.readPlayout()) far.pushAudio(f.samples);
    // The session's part: a drain report, and on mod_audio_stream, once the answer has drained,
    // silence past the module's gate (its minimum fill) so the answer's last audio plays.
    for (const e of call.events()) {
      if (e.type === 'drained') machine.send({ type: 'MEDIA_DRAINED', caughtUp: e.readIndex === call.playoutWriteIndex() });
    }
    sync();
    if (protocol === 'audio-stream' && !padded && machine.getSnapshot().value === 'drained') {
      padded = true;
      far.pushAudio((config.telephony.audioStreamMinFillMs * RATE) / 1000);
    }
    const p = far.tick().played;
    if (p > 0 && startTick < 0) startTick = tick;
    // A gap inside the answer: something was heard before and more of it is still to come.
    if (played > 0 && p < FRAME && played + p < end) {
      underruns += 1;
      underrunSamples += FRAME - p;
    }
    played += p;
  }
  machine.stop();
  return { underruns, underrunMs: (underrunSamples / RATE) * 1000, heardMs: (played / RATE) * 1000, expectedMs: (end / RATE) * 1000, startTick };
}

describe.each<[TelephonyProtocol, number]>([
  ['twilio', 5],
  ['audio-stream', 5],
  ['twilio', 10],
  ['audio-stream', 10],
])('%s: %i-tick chunks at exactly 1× real time', (protocol, deltaTicks) => {
  it('on time: the whole answer plays without a gap', () => {
    const h = play(protocol, deltaTicks, Infinity, 0);
    expect(h.heardMs).toBeGreaterThanOrEqual(h.expectedMs);
    expect(h.underruns).toBe(0);
  });

  it('every third chunk 20 ms late: still no gap inside the answer (the cushion absorbs it)', () => {
    const h = play(protocol, deltaTicks, 3, 1);
    expect(h.heardMs).toBeGreaterThanOrEqual(h.expectedMs);
    expect({ underruns: h.underruns, underrunMs: h.underrunMs }).toEqual({ underruns: 0, underrunMs: 0 });
  });

  // TTS chunks (200 ms) start a response with a whole chunk to spare, which covers the next
  // sentence's first-chunk latency; a Realtime API delta stream keeps only the cushion.
  it.runIf(deltaTicks === 10)("every third chunk 100 ms late (the next sentence's first-chunk latency): no gap either", () => {
    const h = play(protocol, deltaTicks, 3, 5);
    expect({ underruns: h.underruns, underrunMs: h.underrunMs }).toEqual({ underruns: 0, underrunMs: 0 });
  });

  it('a short last frame plays right after the rest: the answer ends without a gap', () => {
    const h = play(protocol, deltaTicks, Infinity, 0, 100);
    expect(h.heardMs).toBeGreaterThanOrEqual(h.expectedMs);
    expect({ underruns: h.underruns, underrunMs: h.underrunMs }).toEqual({ underruns: 0, underrunMs: 0 });
  });

  it('the cushion costs at most one chunk of start-up delay', () => {
    expect(play(protocol, deltaTicks, Infinity, 0).startTick).toBeLessThanOrEqual(deltaTicks);
  });
});
