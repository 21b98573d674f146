// The vacuity check: TLC's coverage report read, unfired actions failing a config unless
// excused with a reason, and excuses that are no longer true failing it too.
import { describe, expect, it } from 'vitest';
import { checkCoverage, coverageProblem, parseCoverage, parseUnfired } from '../../../src/tools/verify/coverage.js';

const msg = (code: number, body: string): string => `@!@!@STARTMSG ${code}:0 @!@!@\n${body}\n@!@!@ENDMSG ${code} @!@!@\n`;
const action = (name: string, d: number, g: number): string =>
  msg(2772, `<${name} line 10, col 1 to line 10, col 9 of module Spec>: ${d}:${g}`);

// Two reports (one at an interval, one at the end); only the last counts.
const OUT =
  msg(2201, 'The coverage statistics at 2026-12-06 18:00:00') +
  action('Accept', 0, 0) +
  action('JoinDone', 0, 0) +
  msg(2202, 'End of statistics') +
  msg(2201, 'The coverage statistics at 2026-12-06 18:05:00') +
  msg(2773, '<Init line 3, col 1 to line 3, col 4 of module Spec>: 1:1') +
  action('Accept', 51, 364) +
  action('Finished', 0, 2704) +
  msg(2772, '<BargeIn line 151, col 1 to line 151, col 7 of module Spec (153 5 167 92)>: 29047:38179') +
  action('JoinDone', 0, 0) +
  msg(2221, '  line 249, col 14 to line 249, col 66 of module Spec: 45580:82060') +
  msg(2202, 'End of statistics');

describe('parseCoverage', () => {
  it('reads the last report, every action of Next but Init (LET-bodied ones too), with its counts', () => {
    expect(parseCoverage(OUT)).toEqual([
      { action: 'Accept', module: 'Spec', distinct: 51, generated: 364 },
      { action: 'Finished', module: 'Spec', distinct: 0, generated: 2704 },
      { action: 'BargeIn', module: 'Spec', distinct: 29047, generated: 38179 },
      { action: 'JoinDone', module: 'Spec', distinct: 0, generated: 0 },
    ]);
  });

  it('adds up an operator reported once per use in Next', () => {
    const out = msg(2201, 'x') + action('Tick', 1, 2) + action('Tick', 3, 4);
    expect(parseCoverage(out)).toEqual([{ action: 'Tick', module: 'Spec', distinct: 4, generated: 6 }]);
  });
});

describe('parseUnfired', () => {
  it('reads excuses with any dash, and rejects one without a reason', () => {
    const cfg = '\\* unfired: JoinDone — only the stop_joins_socket mutant\n\\* unfired: SockCb - mutant only\n\\* unfired: Lonely\nCONSTANT X = 1\n';
    const { excuses, problems } = parseUnfired(cfg);
    expect(excuses).toEqual([
      { action: 'JoinDone', reason: 'only the stop_joins_socket mutant' },
      { action: 'SockCb', reason: 'mutant only' },
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/Lonely/);
  });
});

describe('checkCoverage', () => {
  const actions = parseCoverage(OUT);

  it('fails an action that never fired', () => {
    const c = checkCoverage(actions, []);
    expect(c.unfired).toEqual(['JoinDone']);
    expect(coverageProblem(c)).toMatch(/never fired: JoinDone/);
  });

  it('counts a stuttering action (no new state, successors generated) as fired', () => {
    expect(checkCoverage(actions, []).unfired).not.toContain('Finished');
  });

  it('accepts an unfired action excused with a reason', () => {
    const c = checkCoverage(actions, [{ action: 'JoinDone', reason: 'mutant only' }]);
    expect(c.unfired).toEqual([]);
    expect(c.excused).toEqual([{ action: 'JoinDone', reason: 'mutant only' }]);
    expect(coverageProblem(c)).toBeUndefined();
  });

  it('fails an excuse for an action that fired or does not exist', () => {
    const c = checkCoverage(actions, [
      { action: 'JoinDone', reason: 'mutant only' },
      { action: 'Accept', reason: 'stale' },
      { action: 'Renamed', reason: 'gone' },
    ]);
    expect(c.staleExcuses).toEqual(['Accept fired', 'Renamed is not an action of the spec']);
    expect(coverageProblem(c)).toMatch(/wrong 'unfired:' excuses/);
  });

  it('fails a run that printed no coverage at all', () => {
    expect(coverageProblem(checkCoverage([], []))).toMatch(/no action coverage/);
  });
});
