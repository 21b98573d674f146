// The renderer: every state of every machine drawn with its name, every transition drawn once
// per target (internal ones inside their state), the shapes marked, and the bytes stable.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MACHINES } from '../../../machines/index.js';
import { exportSvgs } from '../../../src/tools/viz/export.js';
import { loadGraphs } from '../../../src/tools/viz/load.js';
import { renderMachineSvg } from '../../../src/tools/viz/render/index.js';
import { fixtureV1, graphOf, liveStates } from './fixtures.js';

const attrs = (svg: string, name: string): string[] => [...svg.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1] ?? '');
const texts = (svg: string): string[] => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');

describe('renderMachineSvg', () => {
  it.each(MACHINES.map((m) => [m.name, m] as const))('draws every state of %s with its name', async (name, entry) => {
    const svg = await renderMachineSvg(graphOf(name, entry.machine));
    const live = liveStates(entry.machine);
    const drawn = attrs(svg, 'data-state').filter((id) => id !== entry.machine.id);
    expect(new Set(drawn)).toEqual(new Set(live.map((s) => s.id)));
    expect(drawn).toHaveLength(live.length);
    const words = new Set(texts(svg));
    for (const s of live) expect(words, `state name ${s.key}`).toContain(s.key);
  });

  it('draws compound, parallel and final states, initial markers and every transition', async () => {
    const g = graphOf('fixture', fixtureV1);
    const svg = await renderMachineSvg(g);
    expect(svg).toMatch(/class="sc-state sc-parallel sc-container" data-state="fixture\.on"/);
    expect(svg).toMatch(/class="sc-state sc-final" data-state="fixture\.done"/);
    expect(svg).toMatch(/class="sc-state sc-compound sc-container" data-state="fixture\.on\.audio"/);
    // Initial dots: the root and the two regions (a parallel state has no initial child).
    expect(attrs(svg, 'data-initial-of').filter((_, i, a) => a.indexOf(_) === i).sort()).toEqual(['fixture', 'fixture.on.audio', 'fixture.on.link']);
    // Every transition drawn once per target (edges list the transitions they carry:
    // data-transition="3 4"); the targetless TICK is a line inside `loud`.
    const edges = attrs(svg, 'data-transition').flatMap((a) => a.split(' '));
    g.transitions.forEach((t, i) => {
      const n = edges.filter((e) => e === String(i)).length;
      expect(n, `transition ${i} ${t.event}`).toBe(Math.max(1, t.targets.length));
    });
    const tick = g.transitions.findIndex((t) => t.event === 'TICK');
    expect(svg).toContain(`<text class="sc-internal"`);
    expect(svg).toMatch(new RegExp(`data-transition="${tick}">TICK / log</text>`));
    // Labels carry event, guard and actions; eventless transitions say so.
    expect(svg).toContain('LOUD [and(ready, not(calm))]');
    expect(svg).toContain('(always) [calm]');
    expect(svg).toContain('#media.capture');
    expect(svg).toContain('exit / hush');
  });

  it('draws transitions with the same source, target and actions as one edge listing every trigger', async () => {
    const g = graphOf('fixture', fixtureV1);
    const extra = { ...g, transitions: [...g.transitions, { source: 'fixture.off', event: 'BOOT', targets: ['fixture.on'], actions: ['log'], reenter: false }] };
    const svg = await renderMachineSvg(extra);
    const power = g.transitions.findIndex((t) => t.event === 'POWER' && t.source === 'fixture.off');
    expect(svg).toContain(`data-transition="${power} ${g.transitions.length}" data-event="POWER BOOT"`);
    expect(svg).toContain('>POWER | BOOT</text>');
    // A different action list keeps its own edge.
    const other = { ...extra, transitions: extra.transitions.map((t, i) => (i === g.transitions.length ? { ...t, actions: ['beep'] } : t)) };
    expect(await renderMachineSvg(other)).not.toContain('POWER | BOOT');
  });

  it('is deterministic: the same graph renders to the same bytes', async () => {
    const g = graphOf('fixture', fixtureV1);
    expect(await renderMachineSvg(g)).toBe(await renderMachineSvg(structuredClone(g)));
  });

  it('escapes names that are not XML-safe', async () => {
    const g = graphOf('fixture', fixtureV1);
    const odd = { ...g, transitions: g.transitions.map((t) => (t.event === 'POWER' ? { ...t, actions: ['a<b>&"c"'] } : t)) };
    const svg = await renderMachineSvg(odd);
    expect(svg).toContain('a&lt;b&gt;&amp;&quot;c&quot;');
    expect(svg).not.toContain('a<b>');
  });
});

describe('parley viz --export', () => {
  it('writes one SVG per machine, identical to the generator output in docs/machines', async () => {
    const root = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'parley-viz-export-'));
    const order = MACHINES.map((m) => m.name);
    const files = await exportSvgs({ root, dir, order });
    const graphs = loadGraphs(root, order);
    expect(files.map((f) => f.split('/').pop())).toEqual(graphs.map((g) => `${g.name}.svg`));
    for (const g of graphs) {
      const svg = readFileSync(join(dir, `${g.name}.svg`), 'utf8');
      expect(svg).toBe(readFileSync(join(root, 'docs/machines', `${g.name}.svg`), 'utf8'));
      for (const n of g.graph.nodes.slice(1)) expect(svg).toContain(`>${n.path.at(-1)}</text>`);
    }
  });
});
