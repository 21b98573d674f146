// Reads the guard of a live transition into a GuardExpr: named guards (string or
// { type, params } with JSON params) combined with and/or/not. Anything else — inline
// functions, stateIn, params computed by a function — is rejected: the abstract specs and
// the native guards can only share a closed, named vocabulary.
import { and, not, or, stateIn } from 'xstate';
import type { GuardExpr, GuardInstance, Json } from './model.js';

type Check = (...args: never[]) => unknown;
const checkOf = (g: unknown): Check | undefined =>
  typeof g === 'function' && 'check' in g && typeof g.check === 'function' ? (g.check as Check) : undefined;

// The combinators share one `check` per kind; compare against fresh instances.
const AND_CHECK = checkOf(and([]));
const OR_CHECK = checkOf(or([]));
const NOT_CHECK = checkOf(not('x'));
const STATE_IN_CHECK = checkOf(stateIn('x'));

export function isJson(v: unknown): v is Json {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJson);
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown;
    return (proto === Object.prototype || proto === null) && Object.values(v).every(isJson);
  }
  return false;
}

/** JSON with object keys sorted, so equal params give equal keys. */
export function canonicalJson(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as { readonly [k: string]: Json };
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k] as Json)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function guardInstance(name: string, params?: Json): GuardInstance {
  return params === undefined ? { name, key: name } : { name, params, key: `${name}(${canonicalJson(params)})` };
}

/** Throws an Error whose message says what is wrong with the guard. */
export function readGuard(g: unknown): GuardExpr {
  if (typeof g === 'string') return { kind: 'named', name: g };
  const check = checkOf(g);
  if (check !== undefined) {
    const args = (g as { guards?: unknown }).guards;
    if (check === STATE_IN_CHECK) throw new Error('stateIn guards are not supported: use a tag or a named guard');
    if (!Array.isArray(args)) throw new Error('a guard combinator without operands');
    if (check === AND_CHECK) return { kind: 'and', args: args.map(readGuard) };
    if (check === OR_CHECK) return { kind: 'or', args: args.map(readGuard) };
    if (check === NOT_CHECK && args.length === 1) return { kind: 'not', arg: readGuard(args[0]) };
    throw new Error('an unknown built-in guard');
  }
  if (typeof g === 'function') throw new Error(`inline guard function '${g.name || 'anonymous'}': guards must be named in setup()`);
  if (g !== null && typeof g === 'object' && 'type' in g && typeof g.type === 'string') {
    if (!('params' in g) || g.params === undefined) return { kind: 'named', name: g.type };
    if (!isJson(g.params)) throw new Error(`guard '${g.type}' has params that are not plain JSON`);
    return { kind: 'named', name: g.type, params: g.params };
  }
  throw new Error(`unsupported guard ${String(g)}`);
}

/** Every named-guard occurrence in an expression, left to right. */
export function guardLeaves(e: GuardExpr): GuardInstance[] {
  switch (e.kind) {
    case 'named':
      return [guardInstance(e.name, e.params)];
    case 'not':
      return guardLeaves(e.arg);
    default:
      return e.args.flatMap(guardLeaves);
  }
}

/** Human-readable form, e.g. `and(isOpen, not(atLimit({"max":5})))`. */
export function formatGuard(e: GuardExpr): string {
  switch (e.kind) {
    case 'named':
      return guardInstance(e.name, e.params).key;
    case 'not':
      return `not(${formatGuard(e.arg)})`;
    default:
      return `${e.kind}(${e.args.map(formatGuard).join(', ')})`;
  }
}
