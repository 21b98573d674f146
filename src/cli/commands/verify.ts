// `parley verify [--json] [--only <Spec>] [--config <text>] [--bench] [--jobs N] [--workers N] [--timeout S] [--timeout-scale N] [--keep]`:
// TLC over every spec and mutant in specs/. Exit 0 when every spec passes and every mutant
// fails as declared; 1 otherwise; 2 on bad usage or a missing prerequisite.
import { repoRoot } from '../../tools/gen/repoRoot.js';
import { PrerequisiteError } from '../../tools/verify/prereq.js';
import { formatTable } from '../../tools/verify/table.js';
import { verify, type VerifyOptions } from '../../tools/verify/verify.js';

const USAGE = 'usage: parley verify [--json] [--only <Spec>] [--config <text>] [--bench] [--jobs N] [--workers N] [--timeout SECONDS] [--timeout-scale N] [--keep]\n';

export function parseArgs(argv: readonly string[]): Omit<VerifyOptions, 'root'> & { json: boolean } {
  let json = false;
  const opts: { only?: string; config?: string; bench?: boolean; jobs?: number; workers?: number; timeoutSeconds?: number; timeoutScale?: number; keep?: boolean } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const count = (): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 1) throw new Error(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--json') json = true;
    else if (a === '--only') opts.only = value();
    else if (a === '--config') opts.config = value();
    else if (a === '--bench') opts.bench = true;
    else if (a === '--jobs') opts.jobs = count();
    else if (a === '--workers') opts.workers = count();
    else if (a === '--timeout') opts.timeoutSeconds = count();
    else if (a === '--timeout-scale') opts.timeoutScale = count();
    else if (a === '--keep') opts.keep = true;
    else if (a === '--') continue;
    else throw new Error(`unknown option '${a}'`);
  }
  return { json, ...opts };
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`parley verify: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { json, ...opts } = args;
  try {
    const report = await verify({
      ...opts,
      root: repoRoot(),
      onResult: (r) => process.stderr.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.config} ${r.verdict} ${r.seconds.toFixed(1)}s\n`),
    });
    if (report.results.length === 0) {
      process.stderr.write(`parley verify: no configs found${opts.only ? ` for spec '${opts.only}'` : ''}\n`);
      return 1;
    }
    process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatTable(report));
    return report.results.every((r) => r.ok) ? 0 : 1;
  } catch (err) {
    if (err instanceof PrerequisiteError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
