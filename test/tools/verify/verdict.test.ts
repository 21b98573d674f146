// Exit codes to verdicts, mutant attribution, and the readers of configs, states and versions.
import { describe, expect, it } from 'vitest';
import { parseCfg } from '../../../src/tools/verify/discover.js';
import { parseMessages, parseState, summarize } from '../../../src/tools/verify/parse.js';
import { javaMajor } from '../../../src/tools/verify/prereq.js';
import { judge, namesProperty, verdictOf } from '../../../src/tools/verify/verdict.js';

const stats = { distinct: 10, trace: [], errors: [] };

describe('verdictOf', () => {
  it.each([
    [0, 'pass'],
    [11, 'deadlock'],
    [12, 'violation'],
    [14, 'violation'],
    [10, 'error'],
    [75, 'error'],
    [150, 'error'],
    [151, 'error'],
    [153, 'error'],
    [255, 'error'],
    [null, 'error'],
  ] as const)('exit %s → %s', (code, verdict) => {
    expect(verdictOf(code, false, stats)).toBe(verdict);
  });

  it('splits exit 13 into action-property violations (safety) and liveness', () => {
    expect(verdictOf(13, false, { ...stats, violation: { kind: 'action', name: 'PL1_X' } })).toBe('violation');
    expect(verdictOf(13, false, { ...stats, violation: { kind: 'temporal' } })).toBe('liveness');
  });

  it('never passes a run that timed out or printed no statistics', () => {
    expect(verdictOf(0, true, stats)).toBe('error');
    expect(verdictOf(0, false, { trace: [], errors: [] })).toBe('error');
  });
});

describe('judge', () => {
  it('wants a spec to pass', () => {
    expect(judge('pass', 'PL1 PL2', 'pass', undefined, [])).toBe(true);
    expect(judge('pass', 'PL1 PL2', 'violation', 'PL1_X', [])).toBe(false);
  });

  it('wants a mutant to fail on the property it declares, and nothing else', () => {
    expect(judge('violation', 'PL3', 'violation', 'PL3_NoStaleEmit', [])).toBe(true);
    expect(judge('violation', 'PL3', 'violation', 'PL2_NoReadBehindFlush', [])).toBe(false);
    expect(judge('violation', 'PL3', 'pass', undefined, [])).toBe(false);
    expect(judge('violation', 'PL3', 'error', undefined, [])).toBe(false);
    expect(judge('violation', 'PL3', 'deadlock', undefined, [])).toBe(false);
    expect(judge('violation', 'deadlock', 'deadlock', undefined, [])).toBe(true);
    expect(judge('violation', 'PL2', 'liveness', undefined, ['PL2_FlushCompletes'])).toBe(true);
    expect(judge('violation', 'PL2', 'liveness', undefined, ['PL2_FlushCompletes', 'PL1_Ownership'])).toBe(false);
    expect(judge('violation', 'PL2', 'liveness', undefined, [])).toBe(false);
  });

  it('matches ids exactly, so PL1 is not PL10', () => {
    expect(namesProperty('PL1_X', 'PL1')).toBe(true);
    expect(namesProperty('PL1', 'PL1')).toBe(true);
    expect(namesProperty('PL10_X', 'PL1')).toBe(false);
  });
});

describe('readers', () => {
  it('parseCfg reads declarations and the names under INVARIANT(S)/PROPERTY(IES)', () => {
    const cfg = parseCfg(
      '\\* mutant: drop-oldest\n\\* property: PL4\n\\* expect: violation\n\\* timeout: 60\nCONSTANTS\n  CAP = 3\n' +
        'SPECIFICATION Spec\nINVARIANT PL4_A \\* first\n  PL4_B\nPROPERTIES PL1_C (* x *)\nCHECK_DEADLOCK FALSE\n',
    );
    expect(cfg.declarations).toEqual({ mutant: 'drop-oldest', property: 'PL4', expect: 'violation', timeout: '60' });
    expect(cfg.invariants).toEqual(['PL4_A', 'PL4_B']);
    expect(cfg.properties).toEqual(['PL1_C']);
  });

  it('parseState joins continuation lines and handles the one-variable form', () => {
    expect(parseState(['/\\ x = 1', '/\\ slots = ( 0 :> 1 @@', '  1 :> 2 )'])).toEqual({ x: '1', slots: '( 0 :> 1 @@ 1 :> 2 )' });
    expect(parseState(['x = 4'])).toEqual({ x: '4' });
  });

  it('summarize reads version, counts, depth, the violation and the trace from -tool output', () => {
    const msg = (code: number, sev: number, body: string): string => `@!@!@STARTMSG ${code}:${sev} @!@!@\n${body}\n@!@!@ENDMSG ${code} @!@!@\n`;
    const out =
      msg(2262, 0, 'TLC2 Version 2.18 of 20 March 2023') +
      'Parsing file X.tla\n' +
      msg(2110, 1, 'Invariant Inv_A is violated.') +
      msg(2121, 1, 'The behavior up to this point is:') +
      msg(2217, 4, '1: <Initial predicate>\n/\\ x = 0\n/\\ y = 0\n') +
      msg(2217, 4, '2: <Next line 5, col 9 to line 5, col 27 of module X>\n/\\ x = 1\n/\\ y = 0\n') +
      msg(2218, 4, '3: Stuttering') +
      msg(2199, 0, '1,234 states generated, 1,000 distinct states found, 0 states left on queue.') +
      msg(2194, 0, 'The depth of the complete state graph search is 7.') +
      msg(1000, 1, 'Some other error');
    expect(parseMessages(out)).toHaveLength(9);
    expect(summarize(out)).toEqual({
      version: '2.18 of 20 March 2023',
      generated: 1234,
      distinct: 1000,
      depth: 7,
      violation: { kind: 'invariant', name: 'Inv_A' },
      trace: [
        { index: 1, action: 'Initial predicate', state: { x: '0', y: '0' } },
        { index: 2, action: 'Next', state: { x: '1', y: '0' } },
        { index: 3, stuttering: true },
      ],
      errors: ['Some other error'],
    });
  });

  it('javaMajor reads old and new version strings', () => {
    expect(javaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajor('java version "1.8.0_392"')).toBe(8);
    expect(javaMajor('nonsense')).toBeUndefined();
  });
});
