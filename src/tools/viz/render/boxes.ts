// What each state's box shows, as lines of text with sizes: its name, tags, entry/exit
// actions and its internal (targetless) transitions. The layout sizes boxes from these lines,
// and the SVG writer draws exactly them.
import { childrenMap, stateKey, transitionLabel, type GraphNode, type MachineGraph } from '../graph.js';
import { textWidth } from './measure.js';

export type LineKind = 'name' | 'tags' | 'entry' | 'exit' | 'internal';

export interface BoxLine {
  readonly kind: LineKind;
  readonly text: string;
  readonly size: number;
  readonly bold: boolean;
  /** Index into graph.transitions, for internal transitions. */
  readonly transition?: number;
}

export interface Box {
  readonly node: GraphNode;
  readonly lines: readonly BoxLine[];
  /** Width and height the lines need, padding included. */
  readonly width: number;
  readonly height: number;
}

export const PAD_X = 10;
export const PAD_Y = 6;
export const LINE_GAP = 3;
export const NAME_SIZE = 13;
export const DETAIL_SIZE = 10.5;

/** Line height for a font size (ascent + descent + gap). */
export const lineHeight = (size: number): number => Math.ceil(size * 1.2) + LINE_GAP;

export function boxLines(g: MachineGraph, n: GraphNode): BoxLine[] {
  const lines: BoxLine[] = [{ kind: 'name', text: stateKey(g, n), size: NAME_SIZE, bold: true }];
  if (n.tags.length) lines.push({ kind: 'tags', text: n.tags.map((t) => `#${t}`).join(' '), size: DETAIL_SIZE, bold: false });
  if (n.entry.length) lines.push({ kind: 'entry', text: `entry / ${n.entry.join(', ')}`, size: DETAIL_SIZE, bold: false });
  if (n.exit.length) lines.push({ kind: 'exit', text: `exit / ${n.exit.join(', ')}`, size: DETAIL_SIZE, bold: false });
  g.transitions.forEach((t, i) => {
    if (t.source === n.id && t.targets.length === 0) {
      lines.push({ kind: 'internal', text: transitionLabel(t), size: DETAIL_SIZE, bold: false, transition: i });
    }
  });
  return lines;
}

export function measureBox(g: MachineGraph, n: GraphNode): Box {
  const lines = boxLines(g, n);
  const width = Math.max(...lines.map((l) => textWidth(l.text, l.size, l.bold))) + 2 * PAD_X;
  const height = lines.reduce((h, l) => h + lineHeight(l.size), 0) + 2 * PAD_Y - LINE_GAP;
  return { node: n, lines, width: Math.ceil(Math.max(width, 60)), height: Math.ceil(Math.max(height, 30)) };
}

/** Whether the node is drawn as a container (it has child states). */
export function isContainer(children: ReadonlyMap<string, readonly GraphNode[]>, n: GraphNode): boolean {
  return (children.get(n.id)?.length ?? 0) > 0;
}

export function measureAll(g: MachineGraph): { boxes: Map<string, Box>; children: Map<string, GraphNode[]> } {
  const children = childrenMap(g);
  return { boxes: new Map(g.nodes.map((n) => [n.id, measureBox(g, n)])), children };
}
