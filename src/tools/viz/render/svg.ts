// A laid-out machine as SVG. Every element carries data attributes the page uses for search,
// live highlighting and diff review: states `data-state` (the state id), transitions
// `data-transition` (index into the graph's transitions) with `data-event`. Output is a pure
// function of the layout: numbers are rounded to 0.1 so the bytes are stable.
import type { MachineGraph } from '../graph.js';
import { stateKey, transitionLabel } from '../graph.js';
import { lineHeight, PAD_X, PAD_Y } from './boxes.js';
import type { Layout, PlacedEdge, PlacedState } from './layout.js';
import { EDGE_LABEL_SIZE } from './layout.js';
import { FONT_FAMILY } from './measure.js';

export type DiffStatus = 'added' | 'removed' | 'changed';

export interface SvgOptions {
  /** Diff review: status of a state id. */
  readonly nodeStatus?: ReadonlyMap<string, DiffStatus>;
  /** Diff review: status of a transition, by index into graph.transitions. */
  readonly transitionStatus?: ReadonlyMap<number, DiffStatus>;
  /** Prefix for element ids (the arrow marker), unique per SVG on one page. */
  readonly idPrefix?: string;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** A coordinate, rounded to 0.1, never "-0". */
const n = (v: number): string => {
  const r = Math.round(v * 10) / 10;
  return String(r === 0 ? 0 : r);
};

const STYLE = `
.sc text { font-family: ${FONT_FAMILY}; fill: #1f2328; }
.sc .sc-state > rect { fill: #ffffff; stroke: #3d4a5c; stroke-width: 1.2; }
.sc .sc-container > rect.sc-frame { fill: #f4f7fb; }
.sc .sc-root > rect.sc-frame { fill: #fbfcfd; stroke: #9aa4b2; }
.sc .sc-parallel > rect.sc-frame { stroke-dasharray: 6 4; }
.sc .sc-final > rect.sc-inner { fill: none; }
.sc .sc-name { font-weight: bold; font-size: 13px; }
.sc .sc-tags { font-size: 10.5px; fill: #7a3ea0; }
.sc .sc-entry, .sc .sc-exit { font-size: 10.5px; fill: #2a6a2a; }
.sc .sc-internal { font-size: 10.5px; fill: #3d4a5c; }
.sc .sc-initial { fill: #1f2328; }
.sc .sc-edge { fill: none; stroke: #5b6b80; stroke-width: 1.2; }
.sc .sc-label-bg { fill: #ffffff; fill-opacity: 0.85; }
.sc .sc-label { font-size: ${EDGE_LABEL_SIZE}px; fill: #24425e; }
.sc .sc-diff-added > rect, .sc .sc-diff-added > .sc-edge { stroke: #1a7f37; stroke-width: 2.6; }
.sc .sc-diff-added > text { fill: #1a7f37; }
.sc .sc-diff-removed > rect, .sc .sc-diff-removed > .sc-edge { stroke: #cf222e; stroke-width: 2.6; stroke-dasharray: 5 3; }
.sc .sc-diff-removed > text { fill: #cf222e; text-decoration: line-through; }
.sc .sc-diff-changed > rect, .sc .sc-diff-changed > .sc-edge { stroke: #bf8700; stroke-width: 2.6; }
.sc .sc-diff-changed > text { fill: #9a6700; }
.sc text.sc-diff-added { fill: #1a7f37; font-weight: bold; }
.sc text.sc-diff-removed { fill: #cf222e; text-decoration: line-through; }
.sc text.sc-diff-changed { fill: #9a6700; font-weight: bold; }
`;

function stateSvg(g: MachineGraph, s: PlacedState, opts: SvgOptions): string {
  const { node } = s;
  const cls = ['sc-state', `sc-${node.type}`];
  if (s.container) cls.push('sc-container');
  if (node.path.length === 0) cls.push('sc-root');
  const status = opts.nodeStatus?.get(node.id);
  if (status) cls.push(`sc-diff-${status}`);
  const out: string[] = [];
  out.push(
    `<g class="${cls.join(' ')}" data-state="${esc(node.id)}" data-key="${esc(stateKey(g, node))}" data-type="${node.type}">`,
  );
  out.push(`<title>${esc(node.id)}</title>`);
  out.push(`<rect class="sc-frame" x="${n(s.x)}" y="${n(s.y)}" width="${n(s.width)}" height="${n(s.height)}" rx="8"/>`);
  if (node.type === 'final') {
    out.push(`<rect class="sc-inner" x="${n(s.x + 3)}" y="${n(s.y + 3)}" width="${n(s.width - 6)}" height="${n(s.height - 6)}" rx="6"/>`);
  }
  // Leaves centre their text; containers put it in the header, left-aligned.
  const centre = !s.container;
  let y = s.y + PAD_Y;
  for (const line of s.box.lines) {
    const baseline = y + line.size * 0.95;
    const x = centre ? s.x + s.width / 2 : s.x + PAD_X;
    const anchor = centre ? ' text-anchor="middle"' : '';
    const tr = line.transition !== undefined ? ` data-transition="${line.transition}"` : '';
    const lineStatus = line.transition !== undefined ? opts.transitionStatus?.get(line.transition) : undefined;
    const cls = lineStatus ? `sc-${line.kind} sc-diff-${lineStatus}` : `sc-${line.kind}`;
    out.push(`<text class="${cls}" x="${n(x)}" y="${n(baseline)}"${anchor}${tr}>${esc(line.text)}</text>`);
    y += lineHeight(line.size);
  }
  out.push('</g>');
  return out.join('');
}

function edgeSvg(g: MachineGraph, e: PlacedEdge, prefix: string, opts: SvgOptions): string {
  if (e.points.length < 2) return '';
  const d = e.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${n(p.x)},${n(p.y)}`).join(' ');
  const path = `<path class="sc-edge" d="${d}" marker-end="url(#${prefix}-arrow)"/>`;
  if (e.transitions.length === 0) return `<g class="sc-initial-edge" data-initial-of="${esc(e.source.replace(/^__initial:/, ''))}">${path}</g>`;
  const ts = e.transitions.flatMap((i) => g.transitions[i] ?? []);
  const cls = ['sc-transition'];
  // Transitions share an edge only when their statuses agree (see layoutGraph).
  const status = opts.transitionStatus?.get(e.transitions[0] ?? -1);
  if (status) cls.push(`sc-diff-${status}`);
  // Space-separated lists: select one with [data-transition~="3"], [data-event~="STOP"].
  const events = [...new Set(ts.map((t) => t.event).filter(Boolean))].join(' ');
  const attrs = `data-transition="${e.transitions.join(' ')}" data-event="${esc(events)}" data-source="${esc(e.source)}" data-target="${esc(e.target)}"`;
  const out = [`<g class="${cls.join(' ')}" ${attrs}>`, `<title>${esc(ts.map(transitionLabel).join('\n'))}</title>`, path];
  if (e.label) {
    const l = e.label;
    out.push(`<rect class="sc-label-bg" x="${n(l.x)}" y="${n(l.y)}" width="${n(l.width)}" height="${n(l.height)}" rx="2"/>`);
    l.lines.forEach((line, i) => {
      const y = l.y + i * lineHeight(EDGE_LABEL_SIZE) + EDGE_LABEL_SIZE * 0.95 + 1;
      out.push(`<text class="sc-label" x="${n(l.x + 3)}" y="${n(y)}" xml:space="preserve">${esc(line)}</text>`);
    });
  }
  out.push('</g>');
  return out.join('');
}

export function layoutToSvg(g: MachineGraph, layout: Layout, opts: SvgOptions = {}): string {
  const prefix = opts.idPrefix ?? `sc-${g.name}`;
  const w = Math.ceil(layout.width);
  const h = Math.ceil(layout.height);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="sc" data-machine="${esc(g.name)}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">`,
  );
  out.push(`<title>${esc(g.name)} statechart</title>`);
  out.push(`<style>${STYLE}</style>`);
  out.push(
    `<defs><marker id="${prefix}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5b6b80"/></marker></defs>`,
  );
  out.push('<g class="sc-states">');
  for (const s of layout.states) out.push(stateSvg(g, s, opts));
  out.push('</g><g class="sc-initials">');
  for (const i of layout.initials) {
    out.push(`<circle class="sc-initial" data-initial-of="${esc(i.parent)}" cx="${n(i.cx)}" cy="${n(i.cy)}" r="${n(i.r)}"/>`);
  }
  out.push('</g><g class="sc-transitions">');
  for (const e of layout.edges) out.push(edgeSvg(g, e, prefix, opts));
  out.push('</g></svg>');
  return `${out.join('\n')}\n`;
}
