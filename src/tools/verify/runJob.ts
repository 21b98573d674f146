// Checks one spec/config: copies the spec modules and the config into a fresh temporary
// directory, parses with SANY, runs TLC there (private -metadir, explicit -workers, a
// wall-clock limit) and turns the outcome into a result row.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { checkCoverage, coverageProblem, parseCoverage, type CoverageCheck } from './coverage.js';
import type { VerifyJob } from './discover.js';
import { runJava, type JavaRun } from './java.js';
import { summarize, type TraceStep } from './parse.js';
import { judge, verdictOf, type Expectation, type Verdict } from './verdict.js';

export interface Counterexample {
  /** The violated definition, 'deadlock', or 'temporal' for a liveness failure. */
  readonly violated: string;
  readonly steps: readonly TraceStep[];
}

export interface VerifyResult {
  readonly spec: string;
  readonly config: string;
  readonly property: string;
  readonly expect: Expectation;
  readonly verdict: Verdict;
  readonly ok: boolean;
  readonly generated: number | null;
  readonly distinct: number | null;
  readonly depth: number | null;
  readonly seconds: number;
  readonly counterexample?: Counterexample;
  /** Passing configs: how often each action fired (TLC -coverage) and the vacuity check. */
  readonly coverage?: CoverageCheck;
  readonly mutant?: string;
  /** Why the verdict is 'error' (parse error, timeout, config problem). */
  readonly message?: string;
}

export interface RunOptions {
  readonly root: string;
  readonly java: string;
  readonly jar: string;
  readonly workers: number;
  readonly timeoutSeconds: number;
  /** Multiplies the limit, the config's own included. */
  readonly timeoutScale?: number;
  /** Keep each temporary directory (its path is put in `message`). */
  readonly keep?: boolean;
  /** Memo of SANY runs per spec file, shared by the jobs of one verify run. */
  readonly sany?: Map<string, Promise<JavaRun>>;
  /** Collects the TLC version each run reports ("2.18 of 20 March 2023"). */
  readonly versions?: Set<string>;
}

const round = (s: number): number => Math.round(s * 10) / 10;

/**
 * SANY copies the standard modules out of the jar into java.io.tmpdir before parsing them;
 * JVMs running side by side would read each other's half-written copies (seen as a random
 * "Parsing or semantic analysis failed", exit 150), so each run gets its own.
 */
function privateTmp(dir: string): string {
  const tmp = join(dir, 'jtmp');
  mkdirSync(tmp, { recursive: true });
  return `-Djava.io.tmpdir=${tmp}`;
}

function stage(root: string, job: VerifyJob): { dir: string; cfg: string } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-verify-'));
  for (const sub of ['specs', 'specs/generated']) {
    const abs = join(root, sub);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs)) if (f.endsWith('.tla')) copyFileSync(join(abs, f), join(dir, f));
  }
  copyFileSync(join(root, job.specFile), join(dir, basename(job.specFile)));
  const cfg = basename(job.config);
  copyFileSync(join(root, job.config), join(dir, cfg));
  return { dir, cfg };
}

function errorTail(out: string, lines = 12): string {
  return out
    .replace(/@!@!@(START|END)MSG[^@]*@!@!@/g, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n');
}

export async function runJob(job: VerifyJob, opts: RunOptions): Promise<VerifyResult> {
  const base = { spec: job.spec, config: job.config, property: job.property, expect: job.expect, ...(job.mutant ? { mutant: job.mutant } : {}) };
  const failed = (message: string, seconds = 0): VerifyResult => ({
    ...base, verdict: 'error', ok: false, generated: null, distinct: null, depth: null, seconds: round(seconds), message,
  });
  if (job.problem) return failed(job.problem);

  const { dir, cfg } = stage(opts.root, job);
  try {
    const module = `${job.spec}.tla`;
    const sanyKey = job.specFile;
    let sany = opts.sany?.get(sanyKey);
    if (!sany) {
      sany = runJava(opts.java, [privateTmp(dir), '-cp', opts.jar, 'tla2sany.SANY', module], dir, 120_000);
      opts.sany?.set(sanyKey, sany);
    }
    const parsed = await sany;
    if (parsed.code !== 0) return failed(`SANY rejected ${job.specFile}:\n${errorTail(parsed.out)}`);

    const timeout = (job.timeoutSeconds ?? opts.timeoutSeconds) * (opts.timeoutScale ?? 1);
    // A passing config also reports action coverage (once, at the end: the interval is a day).
    const coverageArgs = job.expect === 'pass' ? ['-coverage', '1440'] : [];
    const args = [
      privateTmp(dir), '-XX:+UseParallelGC', '-cp', opts.jar, 'tlc2.TLC', '-tool', ...coverageArgs,
      '-workers', String(opts.workers), '-metadir', join(dir, 'meta'), '-config', cfg, module,
    ];
    const run = await runJava(opts.java, args, dir, timeout * 1000);
    const s = summarize(run.out);
    if (s.version) opts.versions?.add(s.version);
    const tlcVerdict = verdictOf(run.code, run.timedOut, s);
    const coverage = job.expect === 'pass' && tlcVerdict === 'pass' ? checkCoverage(parseCoverage(run.out), job.unfired) : undefined;
    const vacuity = coverage ? coverageProblem(coverage) : undefined;
    const verdict = vacuity ? 'vacuous' : tlcVerdict;
    const violated = s.violation?.kind === 'deadlock' ? 'deadlock' : s.violation?.kind === 'temporal' ? 'temporal' : s.violation?.name;
    const ok = judge(job.expect, job.property, verdict, s.violation?.name, job.checkedProperties);
    const message = run.timedOut
      ? `TLC did not finish within ${timeout} s`
      : verdict === 'error'
        ? (s.errors.join('\n') || errorTail(run.out)) + ` (TLC exit ${run.code ?? 'signal'})`
        : vacuity;
    return {
      ...base,
      verdict,
      ok,
      generated: s.generated ?? null,
      distinct: s.distinct ?? null,
      depth: s.depth ?? null,
      seconds: round(run.seconds),
      ...(coverage ? { coverage } : {}),
      ...(verdict !== 'pass' && s.trace.length > 0 ? { counterexample: { violated: violated ?? 'unknown', steps: s.trace } } : {}),
      ...(message || opts.keep ? { message: [message, opts.keep ? `kept ${dir}` : undefined].filter(Boolean).join('; ') } : {}),
    };
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
