// `npm run bench -- fleet [options]`: a fleet of `parley serve` instances behind a real HAProxy
// (deploy/haproxy/haproxy.cfg.tmpl: leastconn, /readyz checks, upgrade retries), simulated calls
// through it, and a rolling restart while they run (SIGTERM one instance at a time, wait for its
// drain and exit, start it again, wait until HAProxy has it UP). Progress on stderr; one JSON
// object on the last stdout line: calls per instance, refused, cut (split by drain deadline),
// drain time per instance, p99 outbound lateness during the roll, the autoscaling gauges' peaks.
//   --instances N (3)  --calls N (300)  --spread-ms N (75000)  --roll-after-ms N (15000)
//   --drain-ms N (PARLEY_DRAIN_MS, default the config default)  --protocols twilio,audio-stream
//   --script S (sim-call's syntax; default its default conversation, ~12 s with a barge-in)
//   --workers N (PARLEY_WORKERS of every instance; default 1, no cluster)
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.js';
import { runFleet } from '../src/tools/fleet/fleet.js';
import { bargeInsHonoured, bargeSteps, DEFAULT_SCRIPT, parseScript } from '../src/tools/sim/caller/index.js';
import type { TelephonyProtocol } from '../src/telephony/types.js';

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      instances: { type: 'string', default: '3' },
      calls: { type: 'string', default: '300' },
      'spread-ms': { type: 'string', default: '75000' },
      'roll-after-ms': { type: 'string', default: '15000' },
      'drain-ms': { type: 'string' },
      protocols: { type: 'string', default: 'twilio,audio-stream' },
      script: { type: 'string' },
      workers: { type: 'string', default: '1' },
    },
  });
  const int = (name: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
  const protocols = values.protocols.split(',').map((p) => p.trim());
  for (const p of protocols) if (p !== 'twilio' && p !== 'audio-stream') throw new Error(`--protocols: unknown protocol '${p}'`);
  const drainMs = values['drain-ms'] !== undefined ? int('drain-ms', values['drain-ms'], 0) : loadConfig({ env: {} }).shutdown.drainMs;

  const script = values.script ? parseScript(values.script) : undefined;
  const result = await runFleet({
    instances: int('instances', values.instances, 1),
    calls: int('calls', values.calls, 1),
    spreadMs: int('spread-ms', values['spread-ms'], 0),
    rollAfterMs: int('roll-after-ms', values['roll-after-ms'], 0),
    drainMs,
    protocols: protocols as TelephonyProtocol[],
    env: { PARLEY_WORKERS: String(int('workers', values.workers, 1)) },
    ...(script ? { script } : {}),
    say: (l) => process.stderr.write(`${l}\n`),
  });
  const { analysis, callRecords, ...summary } = result;
  const cuts = [...analysis.cutWithinDrainDeadline, ...analysis.cutAfterDrainDeadline, ...analysis.cutOther].slice(0, 20);
  const reports = callRecords.map((c) => c.report);
  const sum = (f: (r: (typeof reports)[number]) => number) => reports.reduce((a, r) => a + f(r), 0);
  const callerFigures = {
    // Lateness above is over whole responses (a stall inside a response counts); these are the rest.
    underruns: sum((r) => r.underruns),
    underrunMs: sum((r) => r.underrunMs),
    betweenResponses: {
      count: sum((r) => r.betweenResponses.count),
      unprompted: sum((r) => r.betweenResponses.unprompted),
      maxGapMs: Math.max(0, ...reports.map((r) => r.betweenResponses.gapMs.max)),
    },
    staleFramesAfterClear: sum((r) => r.bargeIns.reduce((a, b) => a + b.staleFramesAfterClear, 0)),
    bargeIns: bargeInsHonoured(callRecords.map((c) => ({ callId: c.id, report: c.report, attempts: bargeSteps(script ?? DEFAULT_SCRIPT) }))),
    mediaMissedTicks: summary.perInstance.reduce((a, p) => a + p.missedTicks, 0),
  };
  process.stdout.write(`${JSON.stringify({ bench: 'fleet', ...summary, callers: callerFigures, refusedReasons: analysis.refusedReasons, drainWindows: analysis.drainWindows, cutCalls: cuts })}\n`);
  if (result.callsCutWithinDrainDeadline > 0 || result.callsRefused > 0) process.exitCode = 1;
}
