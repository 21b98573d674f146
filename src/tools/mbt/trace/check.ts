// Runs TLC on the trace specs (specs/trace/Trace<Spec>.tla) over batches of converted traces:
// one generated TraceData module per batch (bounded in lines), one TLC run per spec. A rejected trace stops TLC
// (TraceAccepted violated, with the trace index, the line and the reason in the final state);
// it is set aside and the rest of the batch is checked again.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJava } from '../../verify/java.js';
import { summarize } from '../../verify/parse.js';
import type { ConvertedTrace, TraceSettings } from './convert.js';
import { renderTraceModule } from './convert.js';
import { effectActions } from './effects.js';

/** The trace specs, each named after the hand-written spec it validates against. */
export const TRACE_SPECS = ['TracePlayout', 'TraceSession', 'TraceReconnect', 'TraceBargeIn'] as const;
export type TraceSpec = (typeof TRACE_SPECS)[number];

export interface TraceInput {
  readonly id: string;
  readonly trace: ConvertedTrace;
}

export interface Rejection {
  readonly spec: TraceSpec;
  /** Position (seq) in the NDJSON file of the line that was rejected. */
  readonly seq: number | undefined;
  readonly why: string;
}

export interface TlcRun {
  readonly spec: TraceSpec;
  readonly traces: number;
  readonly seconds: number;
  readonly distinct: number | null;
}

export interface CheckResult {
  /** Per trace id, the specs that rejected it (empty: every spec accepted it). */
  readonly rejections: ReadonlyMap<string, readonly Rejection[]>;
  /** Traces a spec could not check, with the reason (per spec). */
  readonly skipped: readonly { readonly id: string; readonly spec: TraceSpec; readonly reason: string }[];
  readonly runs: readonly TlcRun[];
}

export interface CheckOptions {
  readonly root: string;
  readonly java: string;
  readonly jar: string;
  readonly timeoutSeconds?: number;
  /** Check against these specs only (default: all). */
  readonly specs?: readonly TraceSpec[];
  /** Trace lines per TLC run (default 12,000): SANY's memory grows fast with the module's size. */
  readonly maxLinesPerRun?: number;
  /** TLC runs side by side (default: the core count). */
  readonly jobs?: number;
}

/** Splits traces into runs of at most `max` lines (a longer trace gets a run of its own). */
export function chunkByLines<T extends { readonly trace: { readonly lines: readonly unknown[] } }>(traces: readonly T[], max: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let lines = 0;
  for (const t of traces) {
    if (current.length > 0 && lines + t.trace.lines.length > max) {
      chunks.push(current);
      current = [];
      lines = 0;
    }
    current.push(t);
    lines += t.trace.lines.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** A spec's model may not cover a configuration; say so instead of checking. */
function outOfModel(spec: TraceSpec, s: TraceSettings): string | undefined {
  if (spec === 'TraceReconnect' && s.maxAttempts < 1) return 'specs/Reconnect.tla assumes MAX >= 1 (reconnect.attempts = 0 is outside its model)';
  return undefined;
}

function stage(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-trace-'));
  // SANY unpacks its standard modules into java.io.tmpdir: a private one per run (see src/tools/verify/runJob.ts).
  mkdirSync(join(dir, 'jtmp'));
  for (const sub of ['specs', 'specs/generated', 'specs/trace']) {
    const abs = join(root, sub);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs)) if (f.endsWith('.tla') || (sub === 'specs/trace' && f.endsWith('.cfg'))) copyFileSync(join(abs, f), join(dir, f));
  }
  return dir;
}

/** The end of TLC's output without the -tool framing (where SANY reports parse errors). */
const tail = (out: string): string =>
  out
    .replace(/@!@!@(START|END)MSG[^@]*@!@!@/g, '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-15)
    .join('\n');

const unquote = (s: string | undefined): string => (s ?? '').trim().replace(/^"|"$/g, '').replace(/\\"/g, '"');

/** Checks one batch (traces sharing settings) against one spec. */
async function checkBatch(spec: TraceSpec, batch: readonly TraceInput[], settings: TraceSettings, opts: CheckOptions, dir: string, runs: TlcRun[]) {
  const rejected = new Map<string, Rejection>();
  let remaining = [...batch];
  while (remaining.length > 0) {
    const module = renderTraceModule({ name: 'TraceData', traces: remaining.map((t) => ({ id: t.id, lines: t.trace.lines })), settings, effects: effectActions() });
    writeFileSync(join(dir, 'TraceData.tla'), module);
    const metadir = join(dir, `meta-${spec}-${runs.length}`);
    const args = ['-XX:+UseParallelGC', `-Djava.io.tmpdir=${join(dir, 'jtmp')}`, '-cp', opts.jar, 'tlc2.TLC', '-tool', '-workers', '1', '-metadir', metadir, '-config', `${spec}.cfg`, `${spec}.tla`];
    const run = await runJava(opts.java, args, dir, (opts.timeoutSeconds ?? 300) * 1000);
    const s = summarize(run.out);
    runs.push({ spec, traces: remaining.length, seconds: Math.round(run.seconds * 100) / 100, distinct: s.distinct ?? null });
    if (run.timedOut) throw new Error(`TLC did not finish ${spec} within ${opts.timeoutSeconds ?? 300} s`);
    if (run.code === 0 && s.distinct !== undefined) break;
    const last = [...s.trace].reverse().find((t): t is Extract<typeof t, { state: unknown }> => 'state' in t);
    if (s.violation?.name !== 'TraceAccepted' || !last) {
      throw new Error(`TLC failed on ${spec} (exit ${run.code ?? 'signal'}): ${[...s.errors, tail(run.out)].join('\n').trim()}`);
    }
    const k = Number(last.state['k']);
    const l = Number(last.state['l']);
    const t = remaining[k - 1];
    if (!t) throw new Error(`TLC rejected trace ${k} of ${remaining.length} on ${spec}`);
    rejected.set(t.id, { spec, seq: t.trace.lines[l - 1]?.seq, why: unquote(last.state['why']) });
    remaining = remaining.filter((x) => x !== t);
  }
  return rejected;
}

/** Checks every trace against every trace spec. Traces are batched by their settings and by
 * size; batches run side by side (`jobs`, default the core count), each in its own directory. */
export async function checkTraces(traces: readonly TraceInput[], opts: CheckOptions): Promise<CheckResult> {
  const rejections = new Map<string, Rejection[]>(traces.map((t) => [t.id, []]));
  const skipped: { id: string; spec: TraceSpec; reason: string }[] = [];
  const runs: TlcRun[] = [];
  const groups = new Map<string, TraceInput[]>();
  for (const t of traces) {
    const key = JSON.stringify(t.trace.settings);
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const batches = [...groups.values()].flatMap((g) => chunkByLines(g, opts.maxLinesPerRun ?? 12_000));
  const checkOne = async (batch: readonly TraceInput[]): Promise<void> => {
    const dir = stage(opts.root);
    try {
      const settings = batch[0]!.trace.settings;
      for (const spec of opts.specs ?? TRACE_SPECS) {
        const why = outOfModel(spec, settings);
        if (why) {
          for (const t of batch) skipped.push({ id: t.id, spec, reason: why });
          continue;
        }
        const rejected = await checkBatch(spec, batch, settings, opts, dir, runs);
        for (const [id, r] of rejected) rejections.get(id)!.push(r);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) await checkOne(batches[next++]!);
  };
  const jobs = Math.max(1, Math.min(opts.jobs ?? availableParallelism(), batches.length));
  await Promise.all(Array.from({ length: jobs }, worker));
  return { rejections, skipped, runs };
}
