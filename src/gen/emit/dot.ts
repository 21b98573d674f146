// Graphviz DOT of a machine: compound and parallel states as clusters (parallel dashed),
// final states double-bordered, edges labelled "EVENT [guard] / actions". Root-level
// transitions start from an "any state" marker. The SVG is this rendered by @viz-js/viz.
import { formatGuard } from '../guards.js';
import type { MachineModel, StateNodeInfo, TransitionInfo } from '../model.js';

const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function label(t: TransitionInfo): string {
  const ev = t.event === '' ? '(always)' : t.event;
  const g = t.guard ? ` [${formatGuard(t.guard)}]` : '';
  const a = t.actions.length ? ` / ${t.actions.join(', ')}` : '';
  return `${ev}${g}${a}`;
}

export function emitDot(m: MachineModel): string {
  const out: string[] = [];
  const isCluster = (n: StateNodeInfo): boolean => n.children.length > 0;
  const anchor = (id: string): string => (isClusterId.get(id) ? `${id}.__anchor` : id);
  const isClusterId = new Map<string, boolean>();
  const visit = (n: StateNodeInfo): void => {
    isClusterId.set(n.id, isCluster(n));
    n.children.forEach(visit);
  };
  visit(m.root);

  out.push(`digraph ${q(m.id)} {`);
  out.push('  graph [rankdir=LR, compound=true, fontname="Helvetica", fontsize=12, nodesep=0.35, ranksep=0.5];');
  out.push('  node [shape=box, style="rounded", fontname="Helvetica", fontsize=11];');
  out.push('  edge [fontname="Helvetica", fontsize=9];');
  const emitNode = (n: StateNodeInfo, indent: string): void => {
    const key = n.path.at(-1) ?? n.id;
    const tags = n.tags.length ? `\\n[${n.tags.join(', ')}]` : '';
    if (isCluster(n)) {
      out.push(`${indent}subgraph ${q(`cluster_${n.id}`)} {`);
      out.push(`${indent}  label=${q(`${key}${tags}`)}; style=${n.type === 'parallel' ? '"rounded,dashed"' : 'rounded'};`);
      out.push(`${indent}  ${q(`${n.id}.__anchor`)} [shape=point, style=invis, width=0.01];`);
      n.children.forEach((c) => emitNode(c, `${indent}  `));
      out.push(`${indent}}`);
    } else {
      const extra = n.type === 'final' ? ', peripheries=2' : '';
      out.push(`${indent}${q(n.id)} [label=${q(`${key}${tags}`)}${extra}];`);
    }
  };
  m.root.children.forEach((c) => emitNode(c, '  '));

  const init = m.root.initial;
  if (init) {
    out.push('  "__initial" [shape=point, width=0.12];');
    out.push(`  "__initial" -> ${q(anchor(init))}${isClusterId.get(init) ? ` [lhead=${q(`cluster_${init}`)}]` : ''};`);
  }
  const rootTransitions = m.root.transitions.length > 0;
  if (rootTransitions) out.push('  "__any" [shape=plaintext, label="any state"];');
  const walk = (n: StateNodeInfo): void => {
    for (const t of n.transitions) {
      const from = n === m.root ? '__any' : anchor(n.id);
      const targets = t.targets.length ? t.targets : [n.id];
      for (const to of targets) {
        const attrs = [`label=${q(label(t))}`];
        if (n !== m.root && isClusterId.get(n.id)) attrs.push(`ltail=${q(`cluster_${n.id}`)}`);
        if (isClusterId.get(to)) attrs.push(`lhead=${q(`cluster_${to}`)}`);
        if (t.targets.length === 0) attrs.push('style=dashed');
        out.push(`  ${q(from)} -> ${q(anchor(to))} [${attrs.join(', ')}];`);
      }
    }
    n.children.forEach(walk);
  };
  walk(m.root);
  out.push('}', '');
  return out.join('\n');
}
