// The fleet run behind `npm run bench -- fleet` and the short fleet test: N `parley serve`
// processes behind a real HAProxy (leastconn, /readyz checks), simulated calls through the
// balancer, and a rolling restart — SIGTERM one instance, wait for its drain and exit, start it
// again, wait until HAProxy has it UP, next — while the calls go on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKSTOP_MS } from '../../server/server.js';
import type { ScriptStep } from '../sim/caller/types.js';
import type { TelephonyProtocol } from '../../telephony/types.js';
import { analyse, type CallAnalysis } from './analyse.js';
import { driveCalls, type CallRecord } from './calls.js';
import { ensureHaproxy, Haproxy, sleep, type LbServerStats } from './haproxy.js';
import { renderHaproxyConfig } from './haproxyConfig.js';
import { ParleyInstance, type DrainRecord } from './instance.js';
import { metricSum } from './promText.js';
import { freePorts } from './ports.js';

export interface FleetOptions {
  readonly instances: number;
  readonly calls: number;
  /** Call starts are spread evenly over this many ms. */
  readonly spreadMs: number;
  /** The rolling restart begins this long after the first call. */
  readonly rollAfterMs: number;
  /** PARLEY_DRAIN_MS of every instance. */
  readonly drainMs: number;
  readonly protocols: readonly TelephonyProtocol[];
  readonly script?: readonly ScriptStep[];
  /** Before each SIGTERM, wait (up to 10 s) until the instance carries at least this many calls. */
  readonly minLiveCallsAtSignal?: number;
  /** Extra environment for every instance. */
  readonly env?: Readonly<Record<string, string>>;
  /** Progress lines (stderr in the bench). */
  readonly say?: (line: string) => void;
}

export interface InstanceSummary {
  readonly instance: string;
  /** Calls HAProxy sent to it (upgrades answered 101), over both of its lives. */
  readonly calls: number;
  readonly drain: DrainRecord;
  /** SIGTERM's process exit → /readyz 200 again, and → HAProxy marks it UP. */
  readonly restartMs: number;
  readonly backInRotationMs: number;
  /** Highest parley_calls_active and parley_media_saturation scraped from its /metrics. */
  readonly peakCallsActive: number;
  readonly peakSaturation: number | null;
  /** Highest parley_workers scraped (`--workers N`: the workers serving); null without a cluster. */
  readonly workers: number | null;
  /** Media-thread deadlines missed over both lives, and the worst tick lateness seen (from the first missed deadline). */
  readonly missedTicks: number;
  readonly tickLatenessMaxMs: number | null;
  readonly endReasons: Readonly<Record<string, number>>;
}

export interface FleetResult {
  readonly instances: number;
  readonly calls: number;
  readonly protocols: readonly TelephonyProtocol[];
  readonly drainDeadlineMs: number;
  readonly callsPerInstance: Readonly<Record<string, number>>;
  readonly callsCompleted: number;
  readonly callsRefused: number;
  readonly callsCut: number;
  /** The property: calls live on an instance when its drain began, cut before the deadline. */
  readonly callsCutWithinDrainDeadline: number;
  readonly callsCutAfterDrainDeadline: number;
  readonly callsCutOther: number;
  readonly callsLiveAtDrainStart: number;
  readonly drainMsPerInstance: Readonly<Record<string, number>>;
  readonly latenessDuringRollMs: CallAnalysis['latenessDuringRoll'];
  readonly latenessAllMs: CallAnalysis['latenessAll'];
  readonly retriedUpgrades: number;
  readonly lb: { readonly redispatches: number; readonly retries: number; readonly responses5xx: number };
  readonly perInstance: readonly InstanceSummary[];
  readonly analysis: CallAnalysis;
  /** Every call as the callers recorded it (for figures over the reports). */
  readonly callRecords: readonly CallRecord[];
  readonly rollMs: number;
  readonly wallMs: number;
}

const BACKEND = 'parley';

export async function runFleet(opts: FleetOptions): Promise<FleetResult> {
  const say = opts.say ?? (() => {});
  if (!Number.isInteger(opts.instances) || opts.instances < 1) throw new Error(`fleet: instances must be ≥ 1, got ${opts.instances}`);
  const bin = ensureHaproxy(say);
  const dir = mkdtempSync(join(tmpdir(), 'parley-fleet-'));
  const [lbPort, statsPort, ...ports] = await freePorts(opts.instances + 2);
  const instances = ports.map((port, i) => new ParleyInstance({ name: `p${i + 1}`, port, cwd: dir, env: { PARLEY_DRAIN_MS: String(opts.drainMs), ...opts.env } }));
  let lb: Haproxy | undefined;
  let stopPolling = () => {};
  const t0 = performance.now();
  try {
    say(`fleet: starting ${instances.length} instances and haproxy (${bin})`);
    await Promise.all(instances.map((p) => p.start()));
    lb = await Haproxy.start({
      bin,
      config: renderHaproxyConfig({
        bind: `127.0.0.1:${lbPort}`,
        statsBind: `127.0.0.1:${statsPort}`,
        backends: instances.map((p) => ({ name: p.name, host: '127.0.0.1', port: p.opts.port })),
      }),
      configPath: join(dir, 'haproxy.cfg'),
      statsUrl: `http://127.0.0.1:${statsPort}`,
    });
    const lbRef = lb;
    await Promise.all(instances.map((p) => lbRef.waitStatus(BACKEND, p.name, 'UP', 15_000)));

    const peaks = new Map(instances.map((p) => [p.name, newPeak()]));
    stopPolling = pollGauges(instances, peaks);

    say(`fleet: ${opts.calls} calls over ${opts.spreadMs} ms via ws://127.0.0.1:${lbPort} (${opts.protocols.join(', ')})`);
    const driver = driveCalls({
      lbUrl: `ws://127.0.0.1:${lbPort}`,
      calls: opts.calls,
      spreadMs: opts.spreadMs,
      protocols: opts.protocols,
      ...(opts.script ? { script: opts.script } : {}),
      maxCallMs: opts.drainMs + 60_000,
    });
    await sleep(opts.rollAfterMs);

    const rollStart = performance.now();
    const drains: DrainRecord[] = [];
    const back = new Map<string, { restartMs: number; backInRotationMs: number }>();
    for (const p of instances) {
      const want = opts.minLiveCallsAtSignal ?? 1;
      for (const until = performance.now() + 10_000; performance.now() < until; await sleep(50)) {
        if (((await p.readyz())?.calls ?? 0) >= want) break;
      }
      say(`fleet: SIGTERM ${p.name} (${driver.started()}/${opts.calls} calls started)`);
      const d = await p.stop(opts.drainMs + BACKSTOP_MS + 10_000);
      drains.push(d);
      say(`fleet: ${p.name} drained ${d.callsAtSignal} calls in ${d.drainMs} ms, exit ${d.exitCode} after ${d.exitMs} ms`);
      const restartMs = await p.start();
      const backInRotationMs = restartMs + (await lbRef.waitStatus(BACKEND, p.name, 'UP', 15_000));
      back.set(p.name, { restartMs: Math.round(restartMs), backInRotationMs: Math.round(backInRotationMs) });
      say(`fleet: ${p.name} ready in ${Math.round(restartMs)} ms, UP in haproxy after ${Math.round(backInRotationMs)} ms`);
    }
    const rollEnd = performance.now();

    const records = await driver.done;
    stopPolling();
    await sleep(100); // the last log lines
    const stats = await lbRef.stats();
    const analysis = analyse({ calls: records, lbLines: lbRef.lines, drains, drainDeadlineMs: opts.drainMs, rollStart, rollEnd });
    const row = (name: string): LbServerStats | undefined => stats.find((r) => r.proxy === BACKEND && r.name === name);
    const backendRow = row('BACKEND');
    return {
      instances: instances.length,
      calls: opts.calls,
      protocols: opts.protocols,
      drainDeadlineMs: opts.drainMs,
      callsPerInstance: analysis.callsPerInstance,
      callsCompleted: analysis.completed,
      callsRefused: analysis.refused,
      callsCut: analysis.cut,
      callsCutWithinDrainDeadline: analysis.cutWithinDrainDeadline.length,
      callsCutAfterDrainDeadline: analysis.cutAfterDrainDeadline.length,
      callsCutOther: analysis.cutOther.length,
      callsLiveAtDrainStart: analysis.drainWindows.reduce((a, w) => a + w.liveCalls, 0),
      drainMsPerInstance: Object.fromEntries(drains.map((d) => [d.instance, d.drainMs])),
      latenessDuringRollMs: analysis.latenessDuringRoll,
      latenessAllMs: analysis.latenessAll,
      retriedUpgrades: analysis.retriedUpgrades,
      lb: { redispatches: backendRow?.redispatches ?? 0, retries: backendRow?.retries ?? 0, responses5xx: backendRow?.responses5xx ?? 0 },
      perInstance: instances.map((p) => ({
        instance: p.name,
        calls: analysis.callsPerInstance[p.name] ?? 0,
        drain: drains.find((d) => d.instance === p.name)!,
        restartMs: back.get(p.name)?.restartMs ?? 0,
        backInRotationMs: back.get(p.name)?.backInRotationMs ?? 0,
        peakCallsActive: peaks.get(p.name)?.calls ?? 0,
        peakSaturation: peaks.get(p.name)?.saturation ?? null,
        workers: peaks.get(p.name)?.workers ?? null,
        missedTicks: (peaks.get(p.name)?.missedBase ?? 0) + (peaks.get(p.name)?.missedLast ?? 0),
        tickLatenessMaxMs: peaks.get(p.name)?.lateMaxMs ?? null,
        endReasons: p.endReasons,
      })),
      analysis,
      callRecords: records,
      rollMs: Math.round(rollEnd - rollStart),
      wallMs: Math.round(performance.now() - t0),
    };
  } catch (err) {
    const tails = instances.flatMap((p) => p.tail).join('\n');
    const lbTail = lb?.other.join('\n') ?? '';
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${tails}\n${lbTail}`, { cause: err });
  } finally {
    stopPolling();
    await Promise.all(instances.map((p) => (p.running ? p.stop(BACKSTOP_MS + 5_000).catch(() => p.kill()) : undefined)));
    await lb?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Scrapes every running instance's /metrics once a second, keeping the autoscaling gauges' peaks. */
interface Peak {
  calls: number;
  saturation: number | null;
  workers: number | null;
  /** parley_media_missed_ticks counts per process: earlier lives' counts are kept in missedBase. */
  missedBase: number;
  missedLast: number;
  lateMaxMs: number | null;
}
const newPeak = (): Peak => ({ calls: 0, saturation: null, workers: null, missedBase: 0, missedLast: 0, lateMaxMs: null });

function pollGauges(instances: readonly ParleyInstance[], peaks: Map<string, Peak>): () => void {
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      await Promise.all(
        instances.map(async (p) => {
          if (!p.running) return;
          const text = await p.metrics();
          if (!text) return;
          const peak = peaks.get(p.name)!;
          peak.calls = Math.max(peak.calls, metricSum(text, 'parley_calls_active') ?? 0);
          const sat = metricSum(text, 'parley_media_saturation');
          if (sat !== undefined) peak.saturation = Math.max(peak.saturation ?? 0, sat);
          const workers = metricSum(text, 'parley_workers');
          if (workers !== undefined) peak.workers = Math.max(peak.workers ?? 0, workers);
          const missed = metricSum(text, 'parley_media_missed_ticks');
          if (missed !== undefined) {
            if (missed < peak.missedLast) peak.missedBase += peak.missedLast; // a new life
            peak.missedLast = missed;
          }
          const late = /^parley_media_tick_lateness_seconds\{quantile="1"\} (\S+)/m.exec(text);
          if (late) peak.lateMaxMs = Math.max(peak.lateMaxMs ?? 0, Math.round(Number(late[1]) * 10_000) / 10);
        }),
      );
      await sleep(1000);
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}
