// `node dist/bench/_inbound-decode.js [rounds]`: the JS cost of one inbound telephony message as
// the capacity bench's callers send it (media, and the mark echoes of the agent's frames), decoded
// with the JSON fast path and without it (JSON.parse), plus the frames-in count per message as a
// labelled prom-client inc and as the plain tally. CPU µs per message, median of alternating
// rounds (both arms in one process, so a loaded machine slows both alike).
import { Metrics } from '../src/obs/metrics.js';
import { PlivoDecoder } from '../src/telephony/plivo/decoder.js';
import { TwilioDecoder } from '../src/telephony/twilio/decoder.js';
import type { InboundDecoder } from '../src/telephony/types.js';

const SID = 'MZ0123456789abcdef0123456789abcdef';
const N = 20_000;

function twilioFrames(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    const p = Buffer.alloc(160);
    for (let k = 0; k < 160; k++) p[k] = (i * 7 + k * 13) & 0xff;
    // The simulator's media layout (src/tools/sim/caller/legs.ts) and one mark echo per frame.
    out.push(Buffer.from(`{"event":"media","sequenceNumber":"${2 * i + 2}","streamSid":"${SID}","media":{"track":"inbound","chunk":"${i + 1}","timestamp":"${i * 20}","payload":"${p.toString('base64')}"}}`));
    out.push(Buffer.from(JSON.stringify({ event: 'mark', sequenceNumber: String(2 * i + 3), streamSid: SID, mark: { name: `1.${i >> 6}.${i}` } })));
  }
  return out;
}

function plivoFrames(): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < N; i++) {
    const p = Buffer.alloc(160, i & 0xff);
    out.push(Buffer.from(`{"event":"media","sequenceNumber":${i + 2},"streamId":"${SID}","media":{"track":"inbound","timestamp":"${i * 20}","chunk":${i + 1},"payload":"${p.toString('base64')}"}}`));
  }
  return out;
}

const START = {
  twilio: { event: 'start', sequenceNumber: '1', streamSid: SID, start: { streamSid: SID, callSid: 'CA1', tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } } },
  plivo: { event: 'start', sequenceNumber: 1, start: { callId: 'p1', streamId: SID, tracks: ['inbound'], mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000 } } },
};

function cpuUsPer(n: number, run: () => void): number {
  const t = process.cpuUsage();
  run();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / n;
}

function decodeArm(make: (fastPath: boolean) => InboundDecoder, start: object, frames: readonly Buffer[], fastPath: boolean): number {
  const d = make(fastPath);
  d.decode(Buffer.from(JSON.stringify(start)), false);
  let events = 0;
  const us = cpuUsPer(frames.length, () => {
    for (const f of frames) {
      const r = d.decode(f, false);
      if (r.ok) events += r.events.length;
    }
  });
  if (events !== frames.length) throw new Error(`${events} events from ${frames.length} frames`);
  return us;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

function main(): void {
  const rounds = Number(process.argv[2] ?? 7);
  const cases = [
    { name: 'twilio media+mark', make: (fastPath: boolean) => new TwilioDecoder({ maxMessageBytes: 65_536, fastPath }), start: START.twilio, frames: twilioFrames() },
    { name: 'plivo media', make: (fastPath: boolean) => new PlivoDecoder({ maxMessageBytes: 65_536, fastPath }), start: START.plivo, frames: plivoFrames() },
  ];
  const result: Record<string, unknown> = {};
  for (const c of cases) {
    const full: number[] = [];
    const fast: number[] = [];
    for (let i = 0; i < rounds; i++) {
      full.push(decodeArm(c.make, c.start, c.frames, false));
      fast.push(decodeArm(c.make, c.start, c.frames, true));
    }
    result[c.name] = { jsonParseUsPerMsg: r3(median(full)), fastPathUsPerMsg: r3(median(fast)), ratio: r3(median(full) / median(fast)) };
  }
  const m = new Metrics({ processMetrics: false });
  const inc: number[] = [];
  const tally: number[] = [];
  for (let i = 0; i < rounds; i++) {
    inc.push(cpuUsPer(N * 10, () => { for (let k = 0; k < N * 10; k++) m.framesIn.inc({ protocol: 'twilio' }); }));
    tally.push(cpuUsPer(N * 10, () => { for (let k = 0; k < N * 10; k++) m.frameIn('twilio'); }));
  }
  result['frames-in count'] = { labelledIncUsPerMsg: r3(median(inc)), tallyUsPerMsg: r3(median(tally)) };
  console.log(JSON.stringify({ rounds, ...result }));
}

main();
