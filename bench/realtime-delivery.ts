// `npm run bench -- realtime-delivery [--calls 10] [--speeds 1,1.2,3] [--protocols twilio,audio-stream]
//                                     [--modes openai,cascade] [--cache off|on] [--endpoint multi|single|http]
//                                     [--prefetch 1|0]`
//
// Issue 20 (part 3): agent audio that reaches Parley at about real time must play without a
// dropout inside a response, and never twice or out of order. For each mode × protocol × provider
// speed, one in-process `parley serve` against its stand-ins streaming at that speed
// (_realtime-cells.ts), and `--calls` concurrent callers, each with 5 plain turns and 5 barge-ins
// (≥ 50 responses and ≥ 50 barge-ins per cell at the default 10 calls). The caller's far side is
// its own emulation (Twilio's queue, mod_audio_stream's inject buffer with its minimum-fill
// gate); an underrun is a gap inside a response whose audio comes back. In cascade mode the TTS
// stand-ins speak marked audio (src/tools/sim/audio/marks.ts), so the caller counts duplicates,
// reorderings and missing audio against the agent's reply texts; the openai mode's audio is not
// marked (its duplicates and reorderings are not measured). The cache is off by default so that
// every sentence streams at the provider's speed. Prints one JSON object last.
import { parseArgs } from 'node:util';
import type { TelephonyProtocol } from '../src/telephony/types.js';
import { runCell, type Cell, type Endpoint, type Mode } from './_realtime-cells.js';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      calls: { type: 'string', default: '10' },
      speeds: { type: 'string', default: '1,1.2,3' },
      protocols: { type: 'string', default: 'twilio,audio-stream' },
      modes: { type: 'string', default: 'openai,cascade' },
      cache: { type: 'string', default: 'off' },
      endpoint: { type: 'string', default: 'multi' },
      prefetch: { type: 'string', default: '1' },
    },
  });
  const calls = Number(values.calls);
  const speeds = values.speeds.split(',').map(Number);
  const protocols = values.protocols.split(',') as TelephonyProtocol[];
  const modes = values.modes.split(',') as Mode[];
  const cells: Cell[] = [];
  for (const mode of modes) {
    for (const protocol of protocols) {
      for (const speed of speeds) {
        const c = await runCell({ mode, protocol, speed, calls, cache: values.cache === 'on', endpoint: values.endpoint as Endpoint, prefetch: values.prefetch === '0' ? 0 : 1 });
        cells.push(c);
        const m = c.marks ? `, ${c.marks.duplicates} duplicates, ${c.marks.reorderings} reorderings, ${c.marks.missing} missing of ${c.marks.answers} answers` : '';
        process.stderr.write(`${mode} ${protocol} ${speed}x: ${c.responses} responses, ${c.bargeIns} barge-ins, ${c.underruns} underruns (${c.underrunMs} ms)${m}, lead ${c.observedLeadMs} ms\n`);
      }
    }
  }
  const atLeastRealTime = cells.filter((c) => c.speed >= 1);
  const total = (f: (c: Cell) => number) => atLeastRealTime.reduce((a, c) => a + f(c), 0);
  console.log(
    JSON.stringify({
      bench: 'realtime-delivery',
      cells,
      dropoutsInsideResponses: total((c) => c.underruns),
      duplicates: total((c) => c.marks?.duplicates ?? 0),
      reorderings: total((c) => c.marks?.reorderings ?? 0),
      ok: atLeastRealTime.every((c) => c.underruns === 0 && c.ok === c.calls && c.staleFramesAfterClear === 0 && (c.marks?.duplicates ?? 0) === 0 && (c.marks?.reorderings ?? 0) === 0),
    }),
  );
}
