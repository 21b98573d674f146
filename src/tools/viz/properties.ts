// Links each property of the hand-written specs back to the machines: a definition whose name
// starts with a property id (`PL3_NoStaleEmit`, specs/README.md) is a property; its comment
// (the `\*` lines or `(* *)` block right above it, and a `\*` on its own line) names events
// and states; the transitions those names pick out are listed next to the property.
//
// What a comment names, within the machines the spec INSTANCEs (all machines if none):
//   - events: an event type written as is (`SPEECH_STARTED`), "quoted", or as words in any
//     case ("speech started", "hang-up" for HANGUP);
//   - states: words equal to a state's key or dotted path (`flushing`, `active.live`); keys
//     shorter than 3 letters only when "quoted".
// Quoted names in the definition's own body ("flushing") count as named too.
// Listed: the transitions on a named event (narrowed to those touching a named state when
// some do); with no event named, every transition into or out of a named state.
//
// What the page shows as the property's text is not the comment but the property's section in
// specs/PROPERTIES.md (its statement, and what the model leaves out): see propertyDocs.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateKey, transitionLabel, type MachineGraph } from './graph.js';
import { loadPropertyDocs, type PropertyDoc } from './propertyDocs.js';

export interface LinkedTransition {
  readonly machine: string;
  /** Index into that machine's graph.transitions. */
  readonly index: number;
  readonly label: string;
  readonly source: string;
  readonly targets: readonly string[];
}

export interface SpecProperty {
  readonly spec: string;
  /** Repository-relative path and 1-based line of the definition. */
  readonly file: string;
  readonly line: number;
  /** The property id (specs/PROPERTIES.md), e.g. 'PL3'. */
  readonly id: string;
  /** The definition's name, e.g. 'PL3_NoStaleEmit'. */
  readonly name: string;
  readonly comment: string;
  /** The property's statement from specs/PROPERTIES.md ('' when it has no section there). */
  readonly statement: string;
  /** What the model assumes or leaves out, from specs/PROPERTIES.md ('' when none). */
  readonly model: string;
  /** How the spec's main config checks it, if it does. */
  readonly checkedAs: 'invariant' | 'property' | null;
  readonly machines: readonly string[];
  readonly events: readonly string[];
  readonly states: readonly string[];
  readonly transitions: readonly LinkedTransition[];
}

const DEF = /^([A-Z]{2}\d+)_\w*\s*(?:\([^)]*\))?\s*==/;
const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The comment attached to the definition on line `i` (0-based) of `lines`. */
function commentAbove(lines: readonly string[], i: number): string {
  const parts: string[] = [];
  const trailing = /\\\*(.*)$/.exec(lines[i] ?? '');
  let j = i - 1;
  const prev = lines[j]?.trim() ?? '';
  if (prev.endsWith('*)')) {
    // A (* ... *) block ending right above.
    const block: string[] = [];
    for (; j >= 0; j--) {
      const l = lines[j] ?? '';
      block.unshift(l);
      if (l.includes('(*')) break;
    }
    parts.push(block.join(' ').replace(/\(\*+|\*+\)/g, ' '));
  } else {
    const block: string[] = [];
    for (; j >= 0 && /^\s*\\\*/.test(lines[j] ?? ''); j--) block.unshift((lines[j] ?? '').replace(/^\s*\\\*\s?/, ''));
    parts.push(block.join(' '));
  }
  if (trailing?.[1]) parts.push(trailing[1].trim());
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

const CFG_KEYWORDS = /^(CONSTANTS?|INIT|NEXT|SPECIFICATION|INVARIANTS?|PROPERTY|PROPERTIES|CONSTRAINTS?|ACTION_CONSTRAINTS?|SYMMETRY|VIEW|ALIAS|POSTCONDITION|CHECK_DEADLOCK)$/;

/** INVARIANT(S) and PROPERTY(IES) names of a .cfg file. */
export function checkedNames(cfg: string): { invariants: Set<string>; properties: Set<string> } {
  const invariants = new Set<string>();
  const properties = new Set<string>();
  let section: Set<string> | undefined;
  const words = cfg
    .split('\n')
    .map((l) => l.replace(/\\\*.*$/, ''))
    .join(' ')
    .split(/\s+/)
    .filter(Boolean);
  for (const w of words) {
    if (CFG_KEYWORDS.test(w)) section = /^INVARIANT/.test(w) ? invariants : /^PROPERT/.test(w) ? properties : undefined;
    else section?.add(w);
  }
  return { invariants, properties };
}

/** Letters and digits only, lower case: HANG_UP, hangUp and "hang-up" all read "hangup". */
const norm = (name: string): string => name.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

function link(comment: string, graphs: readonly MachineGraph[]): Pick<SpecProperty, 'events' | 'states' | 'transitions'> {
  const words = new Set((comment.match(/[A-Za-z_][A-Za-z0-9_.]*/g) ?? []).map((w) => w.replace(/\.+$/, '')));
  const quoted = new Set([...comment.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? ''));
  // Runs of one to three words, joined: "socket error" → "socketerror" names SOCKET_ERROR.
  const plain = comment.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w.toLowerCase());
  const phrases = new Set<string>();
  plain.forEach((_, i) => {
    for (let n = 1; n <= 3 && i + n <= plain.length; n++) phrases.add(plain.slice(i, i + n).join(''));
  });
  const events = new Set<string>();
  const states = new Set<string>();
  const transitions: LinkedTransition[] = [];
  for (const g of graphs) {
    const evs = g.events.filter((e) => quoted.has(e) || words.has(e) || (e.length >= 2 && phrases.has(norm(e))));
    const named = new Set(
      g.nodes
        .filter((n) => n.path.length > 0)
        .filter((n) => {
          const key = stateKey(g, n);
          // camelCase keys also as a phrase ("releasing media"); one-word keys only verbatim.
          const multi = /[a-z][A-Z]/.test(key) && phrases.has(norm(key));
          return quoted.has(key) || multi || (key.length >= 3 && words.has(key)) || (n.path.length > 1 && words.has(n.path.join('.')));
        })
        .map((n) => n.id),
    );
    evs.forEach((e) => events.add(e));
    named.forEach((s) => states.add(s));
    const touches = (i: number): boolean => {
      const t = g.transitions[i];
      return !!t && (named.has(t.source) || t.targets.some((x) => named.has(x)));
    };
    let picked: number[];
    const all = g.transitions.map((_, i) => i);
    if (evs.length) {
      const onEvent = all.filter((i) => evs.includes(g.transitions[i]?.event ?? ''));
      const narrowed = onEvent.filter(touches);
      picked = narrowed.length ? narrowed : onEvent;
    } else {
      picked = named.size ? all.filter(touches) : [];
    }
    for (const i of picked) {
      const t = g.transitions[i];
      if (t) transitions.push({ machine: g.name, index: i, label: transitionLabel(t), source: t.source, targets: t.targets });
    }
  }
  return { events: [...events], states: [...states], transitions };
}

/** Every property definition of one spec file; `docs` are the texts of specs/PROPERTIES.md by id. */
export function specProperties(
  file: string,
  text: string,
  cfg: string | undefined,
  graphs: readonly MachineGraph[],
  docs: ReadonlyMap<string, PropertyDoc> = new Map(),
): SpecProperty[] {
  const spec = /([^/]+)\.tla$/.exec(file)?.[1] ?? file;
  const lines = text.split('\n');
  const instanced = [...text.matchAll(/INSTANCE\s+(\w+)Machine\b/g)].map((m) => m[1] ?? '');
  const scope = instanced.length ? graphs.filter((g) => instanced.includes(pascal(g.name))) : graphs;
  const checked = cfg ? checkedNames(cfg) : undefined;
  const out: SpecProperty[] = [];
  const lastComment = new Map<string, string>();
  lines.forEach((raw, i) => {
    const m = DEF.exec(raw);
    if (!m?.[1]) return;
    const id = m[1];
    const name = /^(\w+)/.exec(raw)?.[1] ?? id;
    // A definition without its own comment shares the previous one of the same id.
    const comment = commentAbove(lines, i) || (lastComment.get(id) ?? '');
    lastComment.set(id, comment);
    // Quoted names in the definition's body count too (`pst = "flushing"`).
    const body: string[] = [];
    for (let j = i + 1; j < lines.length && /^\s+\S/.test(lines[j] ?? ''); j++) body.push(lines[j] ?? '');
    const quotedBody = [...`${raw}\n${body.join('\n')}`.matchAll(/"[^"\n]+"/g)].map((q) => q[0]).join(' ');
    const checkedAs = checked?.invariants.has(name) ? 'invariant' : checked?.properties.has(name) ? 'property' : null;
    const links = link(`${comment}\n${quotedBody}`, scope);
    const doc = docs.get(id);
    out.push({
      spec,
      file,
      line: i + 1,
      id,
      name,
      comment,
      statement: doc?.statement ?? '',
      model: doc?.model ?? '',
      checkedAs,
      machines: scope.map((g) => g.name),
      ...links,
    });
  });
  return out;
}

/** Properties of every specs/*.tla (hand-written specs; generated modules hold none), with their texts. */
export function loadSpecProperties(root: string, graphs: readonly MachineGraph[]): SpecProperty[] {
  const dir = join(root, 'specs');
  if (!existsSync(dir)) return [];
  const docs = loadPropertyDocs(root);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tla'))
    .sort()
    .flatMap((f) => {
      const cfgPath = join(dir, f.replace(/\.tla$/, '.cfg'));
      const cfg = existsSync(cfgPath) ? readFileSync(cfgPath, 'utf8') : undefined;
      return specProperties(`specs/${f}`, readFileSync(join(dir, f), 'utf8'), cfg, graphs, docs);
    });
}
