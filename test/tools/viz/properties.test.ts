// Spec properties linked back to the machines: the transitions a property's comment names.
import { describe, expect, it } from 'vitest';
import { checkedNames, loadSpecProperties, specProperties } from '../../../src/tools/viz/properties.js';
import { parsePropertyDocs } from '../../../src/tools/viz/propertyDocs.js';
import { loadGraphs } from '../../../src/tools/viz/load.js';
import { fixtureV1, graphOf } from './fixtures.js';

const SPEC = `---- MODULE Fixture ----
EXTENDS Naturals
VARIABLES fst
FM == INSTANCE FixtureMachine WITH state <- fst

\\* FX1: a LOUD event never fires while calm.
FX1_NoLoudWhenCalm ==
    TRUE

FX1_Second == TRUE

(* FX2: leaving "loud" always runs hush; QUIET returns to quiet. *)
FX2_HushOnExit ==
    TRUE

\\* FX3: the connection goes down only from "up".
FX3_LinkDown ==
    fst = "down"

FX4_Unrelated == TRUE   \\* FX4: nothing named here.

\\* FX5: the link region stays consistent.
FX5_Region == TRUE
====
`;

const CFG = `\\* expect: pass
CONSTANTS X = 1
INIT Init
NEXT Next
INVARIANTS
    FX1_NoLoudWhenCalm
    FX2_HushOnExit
PROPERTY FX3_LinkDown
`;

const DOCS = `# Properties

### FX1

**Statement.** Loud never
fires while calm.

**Proved by.** \`FX1_NoLoudWhenCalm\` in \`specs/Fixture.tla\`.

**Model.** One loud event only.

### FX3

**Statement.** The link goes down only from up.
`;

describe('spec properties', () => {
  const g = graphOf('fixture', fixtureV1);
  const other = { ...graphOf('fixture', fixtureV1), name: 'other' };
  const docs = new Map(parsePropertyDocs(DOCS).map((d) => [d.id, d]));
  const props = specProperties('specs/Fixture.tla', SPEC, CFG, [g, other], docs);
  const by = (name: string) => {
    const p = props.find((x) => x.name === name);
    if (!p) throw new Error(`no ${name}`);
    return p;
  };

  it('finds every definition named after a property id, with its line and comment', () => {
    expect(props.map((p) => `${p.id} ${p.name}:${p.line}`)).toEqual([
      'FX1 FX1_NoLoudWhenCalm:7',
      'FX1 FX1_Second:10',
      'FX2 FX2_HushOnExit:13',
      'FX3 FX3_LinkDown:17',
      'FX4 FX4_Unrelated:20',
      'FX5 FX5_Region:23',
    ]);
    expect(by('FX1_NoLoudWhenCalm').comment).toBe('FX1: a LOUD event never fires while calm.');
    expect(by('FX1_Second').comment).toBe(by('FX1_NoLoudWhenCalm').comment);
    expect(by('FX4_Unrelated').comment).toBe('FX4: nothing named here.');
  });

  it('scopes to the machines the spec instances and lists the transitions the comment names', () => {
    expect(by('FX1_NoLoudWhenCalm').machines).toEqual(['fixture']);
    expect(by('FX1_NoLoudWhenCalm').transitions.map((t) => t.label)).toEqual(['LOUD [and(ready, not(calm))]']);
    // Events named in words ("loud", QUIET), narrowed to the transitions touching named states.
    expect(by('FX2_HushOnExit').events).toEqual(['LOUD', 'QUIET']);
    expect(by('FX2_HushOnExit').transitions.map((t) => `${t.source} ${t.label}`)).toEqual([
      'fixture.on.audio.quiet LOUD [and(ready, not(calm))]',
      'fixture.on.audio.loud QUIET',
    ]);
    // "goes down" names DOWN, "up" names UP and the state up; "down" in the body the state down.
    expect(by('FX3_LinkDown').events).toEqual(['DOWN', 'UP']);
    expect(new Set(by('FX3_LinkDown').states)).toEqual(new Set(['fixture.on.link.up', 'fixture.on.link.down']));
    expect(by('FX3_LinkDown').transitions.map((t) => t.label).sort()).toEqual(['DOWN', 'UP']);
    // A named state with no transition of its own links nothing.
    expect(by('FX5_Region').events).toEqual([]);
    expect(by('FX5_Region').states).toEqual(['fixture.on.link']);
    expect(by('FX5_Region').transitions).toEqual([]);
    expect(by('FX4_Unrelated').transitions).toEqual([]);
  });

  it('takes the text of each property from its PROPERTIES.md section, not from the spec comment', () => {
    expect(by('FX1_NoLoudWhenCalm').statement).toBe('Loud never fires while calm.');
    expect(by('FX1_Second').statement).toBe('Loud never fires while calm.');
    expect(by('FX1_NoLoudWhenCalm').model).toBe('One loud event only.');
    expect(by('FX3_LinkDown').statement).toBe('The link goes down only from up.');
    expect(by('FX3_LinkDown').model).toBe('');
    // No section: no text (the page then falls back to the comment).
    expect(by('FX2_HushOnExit').statement).toBe('');
    // Linking still reads the spec's comment.
    expect(by('FX1_NoLoudWhenCalm').transitions.map((t) => t.label)).toEqual(['LOUD [and(ready, not(calm))]']);
  });

  it('says how the config checks each property', () => {
    expect(props.map((p) => p.checkedAs)).toEqual(['invariant', null, 'invariant', 'property', null, null]);
    expect([...checkedNames(CFG).invariants]).toEqual(['FX1_NoLoudWhenCalm', 'FX2_HushOnExit']);
  });

  it('reads the repository specs', () => {
    const root = process.cwd();
    const all = loadSpecProperties(root, loadGraphs(root).map((l) => l.graph));
    // Whatever specs exist, every listed transition really exists in its machine.
    const graphs = new Map(loadGraphs(root).map((l) => [l.name, l.graph]));
    expect(all.length).toBeGreaterThan(0);
    for (const p of all) {
      expect(p.id).toMatch(/^[A-Z]{2}\d+$/);
      // Every property of the repository's specs has its text in specs/PROPERTIES.md.
      expect(p.statement, `${p.name}: no statement in specs/PROPERTIES.md`).not.toBe('');
      for (const t of p.transitions) expect(graphs.get(t.machine)?.transitions[t.index]?.source).toBe(t.source);
    }
  });
});
