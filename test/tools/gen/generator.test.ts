// The generator on a fixture machine: the model it extracts (configurations, decision trees
// by XState's own semantics) and the text of each emitted file.
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { emitCppHeader } from '../../../src/tools/gen/emit/cpp.js';
import { emitJson } from '../../../src/tools/gen/emit/json.js';
import { emitTla } from '../../../src/tools/gen/emit/tla.js';
import { emitTs } from '../../../src/tools/gen/emit/ts.js';
import { extractModel } from '../../../src/tools/gen/extract.js';
import { generateFiles } from '../../../src/tools/gen/generate.js';
import type { Decision } from '../../../src/tools/gen/model.js';
import { fixtureMachine } from './fixtureMachine.js';

const model = extractModel({ name: 'fixture', source: 'test/tools/gen/fixtureMachine.ts', machine: fixtureMachine });
const stepOf = (c: string, e: string): Decision | undefined => model.steps.find((s) => s.configuration === c && s.event === e)?.decision;

describe('extractModel', () => {
  it('enumerates legal configurations in document order, parallel regions as a product', () => {
    expect(model.configurations.map((c) => c.name)).toEqual([
      'off',
      'on.audio.quiet|on.link.down',
      'on.audio.quiet|on.link.up',
      'on.audio.loud|on.link.down',
      'on.audio.loud|on.link.up',
      'done',
    ]);
    expect(model.initial).toBe('off');
    expect(model.configurations.filter((c) => c.done).map((c) => c.name)).toEqual(['done']);
    expect(model.configurations.find((c) => c.name === 'on.audio.loud|on.link.up')?.tags).toEqual(['media.playout']);
  });

  it('collects the vocabulary: events, guards with their param instances, actions, tags', () => {
    expect(model.events).toEqual(['GO', 'RESET', 'STOP', 'TICK']);
    expect(model.guards.map((g) => [g.name, g.instances.map((i) => i.key)])).toEqual([
      ['atMost', ['atMost({"max":2})']],
      ['busy', ['busy']],
      ['ready', ['ready']],
    ]);
    expect(model.actions).toEqual(['bump', 'start', 'stop']);
    expect(model.tags).toEqual(['media-closing', 'media.accept', 'media.playout']);
  });

  it('turns guard priority and and/or/not into a decision tree over guard instances', () => {
    // GO in off: [and(ready, not(atMost(2))) → on] then [or(busy, ready) → done].
    expect(stepOf('off', 'GO')).toEqual({
      kind: 'branch',
      guard: { name: 'ready', key: 'ready' },
      then: {
        kind: 'branch',
        guard: { name: 'atMost', params: { max: 2 }, key: 'atMost({"max":2})' },
        then: { kind: 'leaf', target: 'done', actions: [] },
        else: { kind: 'leaf', target: 'on.audio.quiet|on.link.down', actions: ['start'] },
      },
      else: {
        kind: 'branch',
        guard: { name: 'busy', key: 'busy' },
        then: { kind: 'leaf', target: 'done', actions: [] },
        else: { kind: 'leaf', target: 'off', actions: [] },
      },
    });
  });

  it('steps parallel regions together and runs exit, transition and entry actions in order', () => {
    expect(stepOf('on.audio.quiet|on.link.down', 'TICK')).toEqual({ kind: 'leaf', target: 'on.audio.loud|on.link.up', actions: [] });
    expect(stepOf('on.audio.loud|on.link.up', 'TICK')).toEqual({ kind: 'leaf', target: 'on.audio.quiet|on.link.up', actions: ['bump'] });
    expect(stepOf('on.audio.loud|on.link.up', 'STOP')).toEqual({ kind: 'leaf', target: 'off', actions: ['stop'] });
    expect(stepOf('on.audio.loud|on.link.up', 'RESET')).toEqual({ kind: 'leaf', target: 'on.audio.quiet|on.link.down', actions: ['stop', 'start'] });
  });

  it('leaves out events a configuration ignores and everything in a done configuration', () => {
    expect(stepOf('on.audio.quiet|on.link.up', 'GO')).toBeUndefined();
    expect(model.steps.filter((s) => s.configuration === 'done')).toEqual([]);
  });

  it('rejects what the abstract specs cannot share: inline guards, invoke, after, non-JSON params', () => {
    const inline = setup({}).createMachine({ id: 'bad', initial: 'a', states: { a: { on: { E: { guard: () => true, target: 'b' } } }, b: {} } });
    expect(() => extractModel({ name: 'bad', source: 'x', machine: inline })).toThrow(/inline guard/);
    const timed = setup({}).createMachine({ id: 'bad', initial: 'a', states: { a: { after: { 100: 'b' } }, b: {} } });
    expect(() => extractModel({ name: 'bad', source: 'x', machine: timed })).toThrow(/uses after/);
    const fnParams = setup({ guards: { g: (_, _p: { x: number }) => true } }).createMachine({
      id: 'bad',
      initial: 'a',
      states: { a: { on: { E: { guard: { type: 'g', params: () => ({ x: 1 }) }, target: 'b' } } }, b: {} },
    });
    expect(() => extractModel({ name: 'bad', source: 'x', machine: fnParams })).toThrow(/not plain JSON/);
    expect(() => extractModel({ name: 'Bad-Name', source: 'x', machine: fixtureMachine })).toThrow(/lowerCamelCase/);
  });
});

describe('emitters', () => {
  it('TLA+: states, events, guard operator argument, transition relation as nested IF over G', () => {
    const tla = emitTla(model);
    expect(tla).toMatch(/^-+ MODULE FixtureMachine -+$/m);
    expect(tla).toContain('GENERATED by `npm run gen` from test/tools/gen/fixtureMachine.ts');
    expect(tla).toContain('States == {"off", "on.audio.quiet|on.link.down", "on.audio.quiet|on.link.up", "on.audio.loud|on.link.down", "on.audio.loud|on.link.up", "done"}');
    expect(tla).toContain('Events == {"GO", "RESET", "STOP", "TICK"}');
    expect(tla).toContain('GuardNames == {"atMost", "busy", "ready"}');
    // a spec ASSUMEs the names it writes by hand through these (a rename then stops TLC)
    expect(tla).toContain('EXTENDS TLC');
    expect(tla).toContain('KnownStates(S) == \\A n \\in S : Assert(n \\in States, <<"FixtureMachine has no state", n>>)');
    for (const op of ['KnownTags', 'KnownEvents', 'KnownActions', 'KnownGuards']) expect(tla).toContain(`${op}(S) ==`);
    expect(tla).toContain('Next(s, e, G(_, _, _)) ==');
    expect(tla).toContain(
      [
        '     s = "off" /\\ e.type = "GO" ->',
        '         IF G("ready", e, NoParams)',
        '            THEN IF G("atMost", e, [max |-> 2])',
        '               THEN "done"',
        '               ELSE "on.audio.quiet|on.link.down"',
        '            ELSE IF G("busy", e, NoParams)',
        '               THEN "done"',
        '               ELSE "off"',
      ].join('\n'),
    );
    expect(tla).toContain('  [] s = "on.audio.loud|on.link.up" /\\ e.type = "RESET" ->\n         <<"stop", "start">>');
    expect(tla).toContain("Step(e, G(_, _, _)) == state' = Next(state, e, G)");
    expect(tla).toContain('Done == {"done"}');
    expect(tla.trimEnd()).toMatch(/\n=+$/);
  });

  it('C++ header: enum in configuration order, tag predicates as masks, names made identifiers', () => {
    const h = emitCppHeader(model);
    expect(h).toContain('namespace parley::gen::fixture {');
    expect(h).toContain('enum class State : std::uint8_t {\n  off = 0,\n  on_audio_quiet__on_link_down = 1,');
    expect(h).toContain('  done = 5,\n};');
    expect(h).toContain('inline constexpr std::size_t kStateCount = 6;');
    expect(h).toContain('inline constexpr State kInitialState = State::off;');
    // media.playout: the two configurations with audio.loud (indices 3, 4) → 0b11000.
    expect(h).toContain('constexpr bool tag_media_playout(State s) { return detail::in_mask(0x18ULL, s); }');
    expect(h).toContain('constexpr bool tag_media_closing(State s) { return detail::in_mask(0x20ULL, s); }');
    expect(h).toContain('case State::on_audio_loud__on_link_up: return "on.audio.loud|on.link.up";');
  });

  it('TS module: states in enum order, per-tag state lists, names prefixed by the machine', () => {
    const ts = emitTs(model);
    expect(ts).toContain('export const FIXTURE_STATES = ["off", "on.audio.quiet|on.link.down", "on.audio.quiet|on.link.up", "on.audio.loud|on.link.down", "on.audio.loud|on.link.up", "done"] as const;');
    expect(ts).toContain('export type FixtureState = (typeof FIXTURE_STATES)[number];');
    expect(ts).toContain('  "media.playout": ["on.audio.loud|on.link.down", "on.audio.loud|on.link.up"],');
    expect(ts).toContain('  "done": 5,');
  });

  it('JSON graph carries nodes, guarded transitions and the per-configuration steps', () => {
    const g = JSON.parse(emitJson(model)) as { nodes: { id: string; type: string }[]; transitions: { event: string; guard?: string }[] };
    expect(g.nodes.find((n) => n.id === 'fixture.on')?.type).toBe('parallel');
    expect(g.transitions.filter((t) => t.event === 'GO').map((t) => t.guard)).toEqual([
      'and(ready, not(atMost({"max":2})))',
      'or(busy, ready)',
    ]);
    const steps = (JSON.parse(emitJson(model)) as { steps: { configuration: string; event: string }[] }).steps;
    expect(steps.filter((s) => s.configuration === 'off').map((s) => s.event)).toEqual(['GO']);
  });

  it('renders the SVG deterministically', async () => {
    const a = await generateFiles([{ name: 'fixture', source: 'test/tools/gen/fixtureMachine.ts', machine: fixtureMachine }]);
    const b = await generateFiles([{ name: 'fixture', source: 'test/tools/gen/fixtureMachine.ts', machine: fixtureMachine }]);
    const svg = a.get('docs/machines/fixture.svg') ?? '';
    // Drawn by the visualiser's renderer (src/tools/viz) from the JSON graph.
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('data-machine="fixture"');
    expect(svg).toBe(b.get('docs/machines/fixture.svg'));
    expect([...a.keys()].sort()).toEqual([
      'docs/machines/fixture.json',
      'docs/machines/fixture.svg',
      'native/generated/fixture_guards.h',
      'specs/generated/FixtureMachine.tla',
      'src/generated/fixture.ts',
    ]);
  });
});
