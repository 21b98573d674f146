// Vacuity check: which actions of a passing run ever fired. TLC's `-coverage` report gives,
// per action of the next-state relation, "<Name line … of module M>: distinct:generated";
// an action that generated no successor never fired, and a property that depends on it is
// checked over nothing. A config may excuse an action with a reason:
//   \* unfired: JoinDone — taken only by the stop_joins_socket mutant
// Every other unfired action fails the config; an excuse for an action that fired (or that
// does not exist) fails it too, so the excuses stay true.
import { parseMessages } from './parse.js';

export interface ActionCoverage {
  readonly action: string;
  readonly module: string;
  /** Successor states the action generated (0: it never fired). */
  readonly generated: number;
  /** New distinct states it found. */
  readonly distinct: number;
}

export interface Unfired {
  readonly action: string;
  readonly reason: string;
}

export interface CoverageCheck {
  readonly actions: readonly ActionCoverage[];
  /** Unfired actions the config does not excuse. */
  readonly unfired: readonly string[];
  /** Unfired actions the config excuses, with its reason. */
  readonly excused: readonly Unfired[];
  /** Excuses that are wrong: the action fired, or no such action. */
  readonly staleExcuses: readonly string[];
}

const TLC_COVERAGE_START = 2201;
const TLC_COVERAGE_NEXT = 2772;
// An action whose body is a LET carries the body's location too: "... of module M (153 5 167 92)>".
const ACTION = /^<([A-Za-z_][A-Za-z0-9_!]*) line \d+, col \d+ to line \d+, col \d+ of module ([A-Za-z0-9_]+)(?: \([\d ]+\))?>: (\d+):(\d+)/;

/** The last coverage report of a `-tool -coverage` run (TLC prints one per interval and at the end). */
export function parseCoverage(out: string): ActionCoverage[] {
  const byName = new Map<string, ActionCoverage>();
  for (const msg of parseMessages(out)) {
    if (msg.code === TLC_COVERAGE_START) byName.clear();
    if (msg.code !== TLC_COVERAGE_NEXT) continue;
    const m = ACTION.exec(msg.body);
    if (!m?.[1] || !m[2]) continue;
    // An operator used in several disjuncts of Next is reported once per use: add them up.
    const prev = byName.get(m[1]);
    byName.set(m[1], {
      action: m[1],
      module: m[2],
      distinct: Number(m[3]) + (prev?.distinct ?? 0),
      generated: Number(m[4]) + (prev?.generated ?? 0),
    });
  }
  return [...byName.values()];
}

/** "\* unfired: Name — reason" lines of a config (any dash or colon separates the reason). */
export function parseUnfired(cfgText: string): { readonly excuses: Unfired[]; readonly problems: string[] } {
  const excuses: Unfired[] = [];
  const problems: string[] = [];
  for (const line of cfgText.split('\n')) {
    const m = /^\s*\\\*\s*unfired:\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    const d = /^([A-Za-z_][A-Za-z0-9_!]*)\s*(?:—|–|-|:)\s*(\S.*)$/.exec(m[1] ?? '');
    if (d?.[1] && d[2]) excuses.push({ action: d[1], reason: d[2] });
    else problems.push(`'unfired: ${m[1] ?? ''}' must name an action and give a reason ('\\* unfired: Name — why')`);
  }
  return { excuses, problems };
}

export function checkCoverage(actions: readonly ActionCoverage[], excuses: readonly Unfired[]): CoverageCheck {
  const fired = new Map(actions.map((a) => [a.action, a.generated > 0]));
  const excusedNames = new Set(excuses.map((e) => e.action));
  return {
    actions,
    unfired: actions.filter((a) => a.generated === 0 && !excusedNames.has(a.action)).map((a) => a.action),
    excused: excuses.filter((e) => fired.get(e.action) === false),
    staleExcuses: excuses
      .filter((e) => fired.get(e.action) !== false)
      .map((e) => (fired.has(e.action) ? `${e.action} fired` : `${e.action} is not an action of the spec`)),
  };
}

/** Why a coverage check fails the config, or undefined when it holds. */
export function coverageProblem(c: CoverageCheck): string | undefined {
  const parts: string[] = [];
  if (c.actions.length === 0) parts.push('TLC printed no action coverage');
  if (c.unfired.length) parts.push(`actions that never fired: ${c.unfired.join(', ')} (excuse one with '\\* unfired: Name — why' in the config)`);
  if (c.staleExcuses.length) parts.push(`wrong 'unfired:' excuses: ${c.staleExcuses.join('; ')}`);
  return parts.length ? parts.join('; ') : undefined;
}
