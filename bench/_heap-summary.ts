// Summarises a V8 heap snapshot (.heapsnapshot JSON) by constructor: the live objects' self
// sizes and counts per (node type, name), the same grouping as DevTools' "Summary" view
// (self size, not retained size: retained size needs the dominator tree, which a diff per
// call does not: a per-call object's self sizes add up to what the call keeps).
import { readFileSync } from 'node:fs';

export interface HeapGroup {
  readonly name: string;
  readonly bytes: number;
  readonly count: number;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** The key a node is grouped by: a constructor name for objects, "(type)" for the rest. */
function groupKey(type: string, name: string): string {
  switch (type) {
    case 'object':
    case 'native':
      return name;
    case 'closure':
      return '(closure)';
    case 'string':
    case 'concatenated string':
    case 'sliced string':
      return '(string)';
    default:
      return `(${type})`;
  }
}

export function summariseSnapshot(file: string): Map<string, HeapGroup> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const width = f.length;
  const iType = f.indexOf('type');
  const iName = f.indexOf('name');
  const iSize = f.indexOf('self_size');
  const out = new Map<string, { name: string; bytes: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const key = groupKey(types[s.nodes[i + iType]!]!, s.strings[s.nodes[i + iName]!]!);
    const g = out.get(key) ?? { name: key, bytes: 0, count: 0 };
    g.bytes += s.nodes[i + iSize]!;
    g.count += 1;
    out.set(key, g);
  }
  return out;
}

/** Per call: (b − a) / calls for every group, largest first; groups below `minBytes` per call left out. */
export function diffPerCall(a: Map<string, HeapGroup>, b: Map<string, HeapGroup>, calls: number, top: number): { name: string; bytesPerCall: number; countPerCall: number }[] {
  const keys = new Set([...a.keys(), ...b.keys()]);
  const rows = [...keys].map((k) => ({
    name: k,
    bytesPerCall: Math.round(((b.get(k)?.bytes ?? 0) - (a.get(k)?.bytes ?? 0)) / calls),
    countPerCall: Math.round((((b.get(k)?.count ?? 0) - (a.get(k)?.count ?? 0)) / calls) * 10) / 10,
  }));
  return rows.sort((x, y) => y.bytesPerCall - x.bytesPerCall).slice(0, top);
}

export function totalBytes(m: Map<string, HeapGroup>): number {
  let t = 0;
  for (const g of m.values()) t += g.bytes;
  return t;
}
