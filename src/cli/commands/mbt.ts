// `parley mbt [--json] [--only machine,…] [--random N] [--seed S] [--depth D] [--simple N]
// [--no-tlc] [--no-core-traces] [--traces DIR] [--report FILE]`: the model-based tests against the
// running bridge, coverage per machine, randomised runs, TLC trace validation (issue 7) and the
// media core's trace-mode records of every path checked against TracePlayoutCore (issue 18;
// `--no-core-traces` skips that check, `--core-traces` names the default). `--json` prints the
// report object (machines, traces, seconds) as the only stdout line; progress goes to stderr.
// Exit 0 when everything passed, 1 when something failed, 2 on bad usage or a missing
// prerequisite (Java, TLC).
import { writeFileSync } from 'node:fs';
import { MODELS, type MbtMachineName } from '../../tools/mbt/models/index.js';
import type { SuiteOptions } from '../../tools/mbt/suite.js';
import { platformById } from '../../telephony/registry.js';
import { SIM_PROTOCOLS } from '../../tools/sim/caller/leg-factory.js';
import { PrerequisiteError } from '../../tools/verify/prereq.js';

const USAGE =
  'usage: parley mbt [--json] [--only session,aiLink,turn,playout,toolCalls] [--random N] [--seed S] [--depth D] [--simple N] [--no-tlc] [--no-core-traces] [--reports-platform ID] [--traces DIR] [--report FILE]\n';

export interface MbtArgs extends SuiteOptions {
  readonly json: boolean;
  readonly report?: string;
}

export function parseArgs(argv: readonly string[]): MbtArgs {
  const out: { -readonly [K in keyof MbtArgs]?: MbtArgs[K] } = { json: false, randomRuns: 12, seed: 7 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const count = (min: number): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < min) throw new Error(`${a} needs an integer >= ${min}`);
      return v;
    };
    if (a === '--json') out.json = true;
    else if (a === '--only') {
      const names = value().split(',');
      const bad = names.filter((n) => !(n in MODELS));
      if (bad.length > 0) throw new Error(`unknown machine '${bad.join(', ')}' (known: ${Object.keys(MODELS).join(', ')})`);
      out.machines = names as MbtMachineName[];
    } else if (a === '--random') out.randomRuns = count(0);
    else if (a === '--seed') out.seed = count(0);
    else if (a === '--depth') out.maxDepth = count(1);
    else if (a === '--simple') out.maxSimple = count(0);
    else if (a === '--no-tlc') out.tlc = false;
    else if (a === '--core-traces') out.coreTraces = true;
    else if (a === '--no-core-traces') out.coreTraces = false;
    else if (a === '--reports-platform') {
      const id = value();
      const p = platformById(id);
      if (!p || p.farSide !== 'flushable-reports' || !SIM_PROTOCOLS.includes(id)) throw new Error(`--reports-platform takes a WebSocket platform with play reports, not '${id}'`);
      out.reportsPlatform = id;
    }
    else if (a === '--traces') out.traceDir = value();
    else if (a === '--report') out.report = value();
    else if (a === '--') continue;
    else throw new Error(`unknown option '${a}'`);
  }
  return out as MbtArgs;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let args: MbtArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`parley mbt: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const progress = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  // The suite drives fast-check, a dev dependency: a production install (--omit=dev) lacks it.
  let runSuite: typeof import('../../tools/mbt/suite.js').runSuite;
  try {
    ({ runSuite } = await import('../../tools/mbt/suite.js'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    process.stderr.write(`parley mbt needs the development dependencies (npm install without --omit=dev): ${(err as Error).message}\n`);
    return 2;
  }
  let result;
  try {
    result = await runSuite({ ...args, onProgress: args.json ? () => {} : progress });
  } catch (err) {
    if (err instanceof PrerequisiteError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (args.report) {
    const { report, ok, problems, paths, uncovered, random, check, corrupted, tlcSecondsPerTrace } = result;
    writeFileSync(args.report, `${JSON.stringify({ report, ok, problems, tlcSecondsPerTrace, uncovered, corrupted, random, tlcRuns: check?.runs, skipped: check?.skipped, paths }, null, 2)}\n`);
  }
  if (args.json) process.stdout.write(`${JSON.stringify(result.report)}\n`);
  else {
    const r = result.report;
    for (const m of r.machines) {
      process.stdout.write(`${m.name.padEnd(8)} ${String(m.paths).padStart(4)} paths ${String(m.steps).padStart(5)} steps  states ${m.states[0]}/${m.states[1]}  transitions ${m.transitions[0]}/${m.transitions[1]}\n`);
    }
    process.stdout.write(`traces: ${r.traces.valid}/${r.traces.checked} valid, ${r.traces.rejectedCorrupted} corrupted traces rejected; TLC ${result.tlcSecondsPerTrace ?? '-'} s per trace; ${r.seconds} s\n`);
    for (const p of result.problems) process.stdout.write(`problem: ${p}\n`);
  }
  return result.ok ? 0 : 1;
}
