// specs/generated/<Name>Machine.tla: the machine as a TLA+ module that hand-written specs
// INSTANCE. Guards are abstract: every operator that depends on them takes the instancing
// spec's guard operator G(name, e, p) as an argument (a CONSTANT operator could only be
// substituted by a constant-level expression, and guards read the spec's variables). The
// transition relation is the function Next(s, e, G) (XState semantics, one decision tree per
// configuration × event) and the action Step(e, G) over VARIABLE state.
// Conventions: specs/README.md.
import type { Decision, Json, MachineModel } from '../model.js';
import { pascal } from '../names.js';
import { banner } from './banner.js';

const str = (s: string): string => JSON.stringify(s);
const set = (xs: readonly string[]): string => `{${xs.map(str).join(', ')}}`;
const seq = (xs: readonly string[]): string => `<<${xs.map(str).join(', ')}>>`;

export function tlaValue(v: Json, where: string): string {
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`${where}: TLA+ has no value for the non-integer ${v}`);
    return v < 0 ? `(${v})` : String(v);
  }
  if (v === null) throw new Error(`${where}: TLA+ has no value for null`);
  if (Array.isArray(v)) return `<<${v.map((x) => tlaValue(x as Json, where)).join(', ')}>>`;
  const o = v as { readonly [k: string]: Json };
  const keys = Object.keys(o).sort();
  if (keys.length === 0) return 'NoParams';
  for (const k of keys) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`${where}: '${k}' is not a TLA+ record field`);
  return `[${keys.map((k) => `${k} |-> ${tlaValue(o[k] as Json, where)}`).join(', ')}]`;
}

function decisionExpr(d: Decision, leaf: (l: Extract<Decision, { kind: 'leaf' }>) => string, indent: string): string {
  if (d.kind === 'leaf') return leaf(d);
  const p = d.guard.params === undefined ? 'NoParams' : tlaValue(d.guard.params, `guard ${d.guard.name}`);
  const inner = `${indent}   `;
  return (
    `IF G(${str(d.guard.name)}, e, ${p})\n${inner}THEN ${decisionExpr(d.then, leaf, inner)}\n` +
    `${inner}ELSE ${decisionExpr(d.else, leaf, inner)}`
  );
}

/** CASE over (configuration, event) arms; `OTHER` gives the default. */
function caseOver(arms: readonly { cond: string; expr: string }[], other: string): string {
  if (arms.length === 0) return `  ${other}`;
  const body = arms.map((a, i) => `  ${i === 0 ? '  ' : '[]'} ${a.cond} ->\n         ${a.expr}`);
  return `  CASE\n${body.join('\n')}\n  [] OTHER -> ${other}`;
}

export function emitTla(m: MachineModel): string {
  const mod = `${pascal(m.name)}Machine`;
  const states = m.configurations.map((c) => c.name);
  const out: string[] = [];
  const dashes = '-'.repeat(Math.max(4, 30 - Math.ceil(mod.length / 2)));
  out.push(`${dashes} MODULE ${mod} ${dashes}`);
  out.push(banner('\\*', m.source, `The '${m.id}' machine for hand-written specs to INSTANCE; conventions in specs/README.md.`));
  out.push('\\* Guards are abstract. Next, ActionsOf and Step take the instancing spec\'s operator');
  out.push('\\* G(name, e, p): the value of the named guard for event record e (field "type") with');
  out.push('\\* params p (NoParams when it has none), evaluated in the current state.');
  out.push(`\\* Guard instances: ${m.guards.flatMap((g) => g.instances.map((i) => i.key)).join(', ') || '(none)'}`, '');
  // TLC for Assert in the Known* operators below; reached only through the instance prefix.
  out.push('EXTENDS TLC', '');
  out.push('\\* The configuration; substitute the instancing spec\'s own variable.', 'VARIABLE state', '');
  out.push('NoParams == <<>>', '');
  out.push(`States == ${set(states)}`);
  out.push('\\* Enum order: StateOrder[i] is the configuration whose runtime index is i - 1.');
  out.push(`StateOrder == ${seq(states)}`);
  out.push(`Initial == ${str(m.initial)}`);
  out.push(`Done == ${set(m.configurations.filter((c) => c.done).map((c) => c.name))}`);
  out.push(`Events == ${set(m.events)}`);
  out.push(`TagNames == ${set(m.tags)}`);
  out.push(`ActionNames == ${set(m.actions)}`);
  out.push(`GuardNames == ${set(m.guards.map((g) => g.name))}`, '');
  out.push('\\* For the instancing spec\'s ASSUME: every name it writes by hand exists here, so a renamed');
  out.push('\\* state, tag, event, action or guard stops TLC with the unknown name instead of silently');
  out.push('\\* emptying a property (e.g. ASSUME M!KnownStates({"idle"}) /\\ M!KnownTags({"media.playout"})).');
  const known = (op: string, kind: string, all: string): string =>
    `${op}(S) == \\A n \\in S : Assert(n \\in ${all}, <<${str(`${mod} has no ${kind}`)}, n>>)`;
  out.push(known('KnownStates', 'state', 'States'));
  out.push(known('KnownTags', 'tag', 'TagNames'));
  out.push(known('KnownEvents', 'event', 'Events'));
  out.push(known('KnownActions', 'action', 'ActionNames'));
  out.push(known('KnownGuards', 'guard', 'GuardNames'), '');

  out.push('TagsOf(s) ==');
  out.push(caseOver(m.configurations.map((c) => ({ cond: `s = ${str(c.name)}`, expr: set(c.tags) })), '{}'));
  out.push('', 'HasTag(s, t) == t \\in TagsOf(s)');
  out.push('Tagged(t) == {s \\in States : HasTag(s, t)}', '');

  out.push('\\* Event types a configuration reacts to (for some values of the guards).');
  out.push('Handles(s) ==');
  const handled = states
    .map((s) => ({ s, evs: m.steps.filter((st) => st.configuration === s).map((st) => st.event) }))
    .filter((h) => h.evs.length > 0);
  out.push(caseOver(handled.map((h) => ({ cond: `s = ${str(h.s)}`, expr: set(h.evs) })), '{}'), '');

  out.push('\\* The configuration after event e in s (XState semantics); s itself when e is ignored.');
  out.push('Next(s, e, G(_, _, _)) ==');
  out.push(
    caseOver(
      m.steps.map((st) => ({
        cond: `s = ${str(st.configuration)} /\\ e.type = ${str(st.event)}`,
        expr: decisionExpr(st.decision, (l) => str(l.target), '         '),
      })),
      's',
    ),
    '',
  );

  out.push('\\* The named actions that step runs, in XState order (exit, transition, entry).');
  out.push('ActionsOf(s, e, G(_, _, _)) ==');
  const hasActions = (d: Decision): boolean => (d.kind === 'leaf' ? d.actions.length > 0 : hasActions(d.then) || hasActions(d.else));
  out.push(
    caseOver(
      m.steps
        .filter((st) => hasActions(st.decision))
        .map((st) => ({
          cond: `s = ${str(st.configuration)} /\\ e.type = ${str(st.event)}`,
          expr: decisionExpr(st.decision, (l) => seq(l.actions), '         '),
        })),
      '<<>>',
    ),
    '',
  );

  out.push('\\* Whether that step runs the named action a.');
  out.push('Runs(s, e, G(_, _, _), a) == \\E i \\in DOMAIN ActionsOf(s, e, G) : ActionsOf(s, e, G)[i] = a', '');
  out.push('Init == state = Initial');
  out.push('Step(e, G(_, _, _)) == state\' = Next(state, e, G)');
  out.push('TypeOK == state \\in States', '');
  out.push('='.repeat(dashes.length * 2 + mod.length + 9), '');
  return out.join('\n');
}
