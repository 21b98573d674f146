// Finds what to check: specs/<Spec>.cfg (and specs/<Spec>_<variant>.cfg) against
// specs/<Spec>.tla, and specs/mutants/<Spec>_<bug>.cfg against the same spec (or against
// specs/mutants/<Spec>_<bug>.tla when that exists). Each config's leading comments declare
// what it proves: "\* expect: pass|violation", "\* property: PL1 PL2", "\* timeout: 120",
// "\* mutant: <what bug>". specs/bench/<Spec>_<variant>.cfg: bigger models, only on request.
// Conventions: specs/README.md.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseUnfired, type Unfired } from './coverage.js';
import type { Expectation } from './verdict.js';

export interface VerifyJob {
  /** Module checked, e.g. 'Playout'. */
  readonly spec: string;
  /** Repository-relative paths. */
  readonly specFile: string;
  readonly config: string;
  readonly expect: Expectation;
  /** Declared property ids, space-separated ('PL1 PL2 deadlock'). */
  readonly property: string;
  readonly mutant?: string;
  readonly timeoutSeconds?: number;
  /** Names listed under PROPERTY/PROPERTIES (for attributing a liveness failure). */
  readonly checkedProperties: readonly string[];
  /** Actions the config excuses from the coverage check ("\* unfired: Name — why"). */
  readonly unfired: readonly Unfired[];
  /** Set when the config itself is unusable; the job reports verdict 'error'. */
  readonly problem?: string;
}

export interface CfgInfo {
  readonly declarations: Readonly<Record<string, string>>;
  readonly properties: readonly string[];
  readonly invariants: readonly string[];
}

const CFG_KEYWORDS = new Set([
  'CONSTANT', 'CONSTANTS', 'INIT', 'NEXT', 'SPECIFICATION', 'INVARIANT', 'INVARIANTS', 'PROPERTY',
  'PROPERTIES', 'CONSTRAINT', 'CONSTRAINTS', 'ACTION_CONSTRAINT', 'ACTION_CONSTRAINTS', 'SYMMETRY',
  'VIEW', 'CHECK_DEADLOCK', 'POSTCONDITION', 'ALIAS',
]);

/** Reads the declaration comments and the PROPERTY/INVARIANT names of a TLC config. */
export function parseCfg(text: string): CfgInfo {
  const declarations: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*\\\*\s*([a-z]+):\s*(.*?)\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined && !(m[1] in declarations)) declarations[m[1]] = m[2];
  }
  const tokens = text
    .split('\n')
    .map((l) => l.replace(/\\\*.*$/, ''))
    .join(' ')
    .replace(/\(\*[\s\S]*?\*\)/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const properties: string[] = [];
  const invariants: string[] = [];
  let section = '';
  for (const t of tokens) {
    if (CFG_KEYWORDS.has(t)) section = t;
    else if (section === 'PROPERTY' || section === 'PROPERTIES') properties.push(t);
    else if (section === 'INVARIANT' || section === 'INVARIANTS') invariants.push(t);
  }
  return { declarations, properties, invariants };
}

function job(root: string, dir: string, file: string, mutant: boolean): VerifyJob {
  const base = file.replace(/\.cfg$/, '');
  const config = `${dir}/${file}`;
  const own = `${dir}/${base}.tla`;
  const prefix = base.split('_')[0] ?? base;
  const candidates = mutant ? [own, `specs/${prefix}.tla`] : [own, `specs/${prefix}.tla`];
  const specFile = candidates.find((c) => existsSync(join(root, c))) ?? `specs/${prefix}.tla`;
  const spec = specFile.replace(/^.*\//, '').replace(/\.tla$/, '');
  const text = readFileSync(join(root, config), 'utf8');
  const info = parseCfg(text);
  const d = info.declarations;
  const expect = (d.expect ?? (mutant ? 'violation' : 'pass')) as string;
  const problems: string[] = [];
  if (!existsSync(join(root, specFile))) problems.push(`no spec ${specFile} for ${config}`);
  if (expect !== 'pass' && expect !== 'violation') problems.push(`'expect: ${expect}' must be pass or violation`);
  if (mutant && (d.property ?? '').split(/\s+/).filter(Boolean).length !== 1) {
    problems.push(`a mutant declares exactly one property id ('\\* property: PL3'), found '${d.property ?? ''}'`);
  }
  const unfired = parseUnfired(text);
  problems.push(...unfired.problems);
  const timeout = d.timeout === undefined ? undefined : Number(d.timeout);
  if (timeout !== undefined && !(timeout > 0)) problems.push(`'timeout: ${d.timeout}' must be a positive number of seconds`);
  return {
    spec,
    specFile,
    config,
    expect: expect === 'violation' ? 'violation' : 'pass',
    property: d.property ?? '',
    ...(d.mutant ? { mutant: d.mutant } : {}),
    ...(timeout !== undefined && timeout > 0 ? { timeoutSeconds: timeout } : {}),
    checkedProperties: info.properties,
    unfired: unfired.excuses,
    ...(problems.length ? { problem: problems.join('; ') } : {}),
  };
}

/**
 * Every job under `root`/specs, main configs before mutants, each group sorted by name; with
 * `bench`, also the bigger models of specs/bench/ (checked like a spec's own configs, too slow
 * for every run).
 */
export function discoverJobs(root: string, only?: string, bench = false): VerifyJob[] {
  const list = (dir: string): string[] =>
    existsSync(join(root, dir)) ? readdirSync(join(root, dir)).filter((f) => f.endsWith('.cfg')).sort() : [];
  const jobs = [
    ...list('specs').map((f) => job(root, 'specs', f, false)),
    ...list('specs/mutants').map((f) => job(root, 'specs/mutants', f, true)),
    ...(bench ? list('specs/bench').map((f) => job(root, 'specs/bench', f, false)) : []),
  ];
  return only ? jobs.filter((j) => j.spec === only) : jobs;
}
