// The whole model-based suite: plan the paths of every machine, run them against the bridge,
// compute coverage, run the randomised scenarios, validate every recorded trace with TLC, make
// sure deliberately corrupted traces are rejected, and check the media core's trace-mode records
// of every run against TracePlayoutCore. Produces the `parley mbt` report.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../gen/repoRoot.js';
import { requireJava } from '../verify/prereq.js';
import { ensureTlcJar } from '../verify/tlcJar.js';
import { structureOf } from './machineInfo.js';
import { MODELS, type MbtMachineName } from './models/index.js';
import { planMachine, type PlannedPath } from './paths.js';
import { randomRuns, type RandomSummary } from './random.js';
import { runPath, type PathResult } from './runner.js';
import { checkTraces, type CheckResult, type TraceInput } from './trace/check.js';
import { convertTrace, parseNdjson } from './trace/convert.js';
import { CORRUPTIONS } from './trace/corrupt.js';
import { checkCorruption, checkPathCoreTraces, type CorruptedResult } from './suite-checks.js';

export interface SuiteOptions {
  readonly machines?: readonly MbtMachineName[];
  /** Bounded simple paths: longest path and how many per machine variant. */
  readonly maxDepth?: number;
  readonly maxSimple?: number;
  /** Randomised scenarios (0: none) and their seed. */
  readonly randomRuns?: number;
  readonly seed?: number;
  /** Validate traces with TLC (default true). */
  readonly tlc?: boolean;
  /** Check the media core's trace-mode records of each path against TracePlayoutCore (default true). */
  readonly coreTraces?: boolean;
  /**
   * The flushable-reports platform the paths run on (default twilio; e.g. telnyx): its own caller
   * emulator and wire, the same models. Paths that need the module's buffer stay on audio-stream.
   */
  readonly reportsPlatform?: string;
  /** Keep the traces here (default: a temporary directory, removed afterwards). */
  readonly traceDir?: string;
  readonly onProgress?: (line: string) => void;
}

export interface MachineReport {
  readonly name: string;
  readonly paths: number;
  readonly steps: number;
  readonly states: readonly [number, number];
  readonly transitions: readonly [number, number];
}

/** The object `parley mbt --json` prints (issue 7). */
export interface MbtReport {
  readonly machines: readonly MachineReport[];
  readonly traces: { readonly checked: number; readonly valid: number; readonly rejectedCorrupted: number };
  /** Media-core traces (trace mode) checked against TracePlayoutCore. */
  readonly coreTraces: { readonly checked: number; readonly valid: number; readonly rejectedCorrupted: number };
  readonly seconds: number;
}

export type { CorruptedResult } from './suite-checks.js';

export interface SuiteResult {
  readonly report: MbtReport;
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly paths: readonly PathResult[];
  readonly uncovered: Readonly<Record<string, { readonly states: readonly string[]; readonly transitions: readonly string[] }>>;
  readonly random: RandomSummary | undefined;
  readonly check: CheckResult | undefined;
  readonly corrupted: readonly CorruptedResult[];
  /** TLC wall time per trace checked (all specs, batched). */
  readonly tlcSecondsPerTrace: number | null;
}

export async function runSuite(opts: SuiteOptions = {}): Promise<SuiteResult> {
  const t0 = performance.now();
  const say = opts.onProgress ?? (() => {});
  const machines = opts.machines ?? (Object.keys(MODELS) as MbtMachineName[]);
  const traceRoot = opts.traceDir ?? mkdtempSync(join(tmpdir(), 'parley-mbt-'));
  const problems: string[] = [];
  try {
    // 1. Paths per machine, run one by one against a fresh bridge each.
    const planned: PlannedPath[] = machines.flatMap((name) => {
      const model = MODELS[name];
      return model.variants.flatMap((v) => planMachine(model, v, { maxDepth: opts.maxDepth ?? 10, maxSimple: opts.maxSimple ?? 10 }));
    });
    const results: PathResult[] = [];
    for (const [i, path] of planned.entries()) {
      const r = await runPath(path, { traceRoot, ...(opts.reportsPlatform ? { reportsPlatform: opts.reportsPlatform } : {}) }, i);
      results.push(r);
      say(`${r.ok ? 'ok  ' : 'FAIL'} ${r.id} (${r.steps} steps, ${r.seconds} s)${r.error ? `: step ${r.failedAt}: ${r.error}` : ''}`);
      if (!r.ok) problems.push(`${r.id} failed at step ${r.failedAt}: ${r.error}`);
    }

    // 2. Coverage of what the runtime executed as planned.
    const uncovered: Record<string, { states: string[]; transitions: string[] }> = {};
    const machineReports: MachineReport[] = machines.map((name) => {
      const structure = structureOf(MODELS[name].machine);
      const mine = results.filter((r) => r.machine === name);
      const states = new Set(mine.flatMap((r) => r.coveredStates));
      const transitions = new Set(mine.flatMap((r) => r.coveredTransitions));
      const missing = { states: structure.states.filter((s) => !states.has(s)), transitions: structure.transitions.filter((t) => !transitions.has(t)) };
      uncovered[name] = missing;
      if (missing.states.length + missing.transitions.length > 0) problems.push(`${name}: not covered: ${[...missing.states, ...missing.transitions].join(', ')}`);
      const ok = mine.filter((r) => r.ok);
      return {
        name,
        paths: ok.length,
        steps: ok.reduce((n, r) => n + r.steps, 0),
        states: [structure.states.length - missing.states.length, structure.states.length] as const,
        transitions: [structure.transitions.length - missing.transitions.length, structure.transitions.length] as const,
      };
    });

    // 3. Randomised scenarios.
    let random: RandomSummary | undefined;
    if ((opts.randomRuns ?? 0) > 0) {
      random = await randomRuns({ runs: opts.randomRuns!, seed: opts.seed ?? 7, traceRoot });
      say(`random: ${random.results.length} of ${random.runs} scenarios passed (seed ${random.seed})`);
      if (random.failure) problems.push(`randomised run failed: ${random.failure}`);
    }

    // 4. Trace validation, and corrupted traces that must be rejected.
    const sources = [...results.map((r) => ({ id: r.id, file: r.trace })), ...(random?.results ?? []).map((r, i) => ({ id: `random-${i}`, file: r.trace }))];
    const traces: TraceInput[] = [];
    for (const s of sources) {
      if (!s.file) {
        problems.push(`${s.id}: no trace was written`);
        continue;
      }
      traces.push({ id: s.id, trace: convertTrace(parseNdjson(readFileSync(s.file, 'utf8'))) });
    }
    let check: CheckResult | undefined;
    const corrupted: CorruptedResult[] = [];
    const core = { checked: 0, valid: 0, rejectedCorrupted: 0 };
    let tlcSeconds = 0;
    if (opts.tlc ?? true) {
      const tlc = { root: repoRoot(), java: requireJava().java, jar: ensureTlcJar() };
      // The main check's batches are uneven (grouped by trace settings), so one TLC slot sits
      // idle most of the time: the corrupted traces and the media core's traces run in it,
      // one TLC run after another, beside the main check.
      const side = async (): Promise<void> => {
        for (const c of CORRUPTIONS) {
          const r = await checkCorruption(c, sources, tlc);
          corrupted.push(r.result);
          if (r.problem) problems.push(r.problem);
          say(`corrupted ${c.name}: ${r.result.ok ? 'rejected' : 'NOT rejected'} (${r.result.rejectedBy.join('; ')})`);
        }
        if (opts.coreTraces ?? true) {
          const runs = [...results, ...(random?.results ?? []).map((x, i) => ({ id: `random-${i}`, coreTraces: x.coreTraces }))];
          const r = await checkPathCoreTraces(runs, tlc);
          Object.assign(core, r.core);
          problems.push(...r.problems);
          say(r.line);
        }
      };
      const main = async (): Promise<void> => {
        check = await checkTraces(traces, tlc);
        tlcSeconds += check.runs.reduce((n, r) => n + r.seconds, 0);
        for (const [id, rej] of check.rejections) if (rej.length > 0) problems.push(`trace of ${id} rejected: ${rej.map((r) => `${r.spec} at seq ${r.seq}: ${r.why}`).join('; ')}`);
        say(`traces: ${traces.length - [...check.rejections.values()].filter((r) => r.length > 0).length} of ${traces.length} valid (TLC ${tlcSeconds.toFixed(1)} s)`);
      };
      await Promise.all([main(), side()]);
    }
    const valid = check ? [...check.rejections.values()].filter((r) => r.length === 0).length : 0;
    const report: MbtReport = {
      machines: machineReports,
      traces: { checked: check ? traces.length : 0, valid, rejectedCorrupted: corrupted.filter((c) => c.ok).length },
      coreTraces: core,
      seconds: Math.round((performance.now() - t0) / 100) / 10,
    };
    return {
      report,
      ok: problems.length === 0,
      problems,
      paths: results,
      uncovered,
      random,
      check,
      corrupted,
      tlcSecondsPerTrace: check && traces.length > 0 ? Math.round((tlcSeconds / traces.length) * 1000) / 1000 : null,
    };
  } finally {
    if (!opts.traceDir) rmSync(traceRoot, { recursive: true, force: true });
  }
}
