// A bounded subset of JSON Schema, written here (no dependency): the keywords a tool's
// `parameters` may use, checked as a schema at start (an unknown keyword is refused, never
// silently ignored), and the validator of the model's arguments against it. Bounded: at most
// MAX_DEPTH levels and MAX_NODES schema nodes; validation reports at most MAX_ERRORS problems.
//
// Keywords: type (one or a list of object, array, string, number, integer, boolean, null),
// description, title, default, examples, properties, required, additionalProperties (boolean or a
// schema), items, enum, const, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength,
// maxLength, pattern, format (annotation only), minItems, maxItems.

export const MAX_DEPTH = 8;
export const MAX_NODES = 500;
const MAX_ERRORS = 5;

const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);
const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', 'format']);
const NUMBERS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const;
const COUNTS = ['minLength', 'maxLength', 'minItems', 'maxItems'] as const;
const STRUCTURAL = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'pattern', ...NUMBERS, ...COUNTS]);

export type Schema = Readonly<Record<string, unknown>>;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Problems with `schema` as a tool's parameters schema (empty: usable). The top level must be an object schema. */
export function checkSchema(schema: unknown): string[] {
  const problems: string[] = [];
  const budget = { nodes: 0 };
  if (!isObj(schema) || schema['type'] !== 'object') return ['must be a JSON Schema with type "object" at the top level'];
  checkNode(schema, '', 0, budget, problems);
  return problems.slice(0, 20);
}

function checkNode(s: unknown, at: string, depth: number, budget: { nodes: number }, out: string[]): void {
  const where = at || '(root)';
  if (++budget.nodes > MAX_NODES) {
    if (budget.nodes === MAX_NODES + 1) out.push(`more than ${MAX_NODES} schema nodes`);
    return;
  }
  if (depth > MAX_DEPTH) {
    out.push(`${where}: nested deeper than ${MAX_DEPTH} levels`);
    return;
  }
  if (!isObj(s)) {
    out.push(`${where}: a schema must be an object`);
    return;
  }
  for (const k of Object.keys(s)) if (!STRUCTURAL.has(k) && !ANNOTATIONS.has(k)) out.push(`${where}: unsupported keyword '${k}'`);
  const t = s['type'];
  const types = Array.isArray(t) ? t : t === undefined ? [] : [t];
  if (types.length === 0 && t !== undefined) out.push(`${where}: type must not be empty`);
  for (const x of types) if (typeof x !== 'string' || !TYPES.has(x)) out.push(`${where}: unknown type ${JSON.stringify(x)}`);
  for (const k of NUMBERS) if (s[k] !== undefined && (typeof s[k] !== 'number' || !Number.isFinite(s[k]))) out.push(`${where}: ${k} must be a number`);
  for (const k of COUNTS) if (s[k] !== undefined && !(Number.isInteger(s[k]) && (s[k] as number) >= 0)) out.push(`${where}: ${k} must be a non-negative integer`);
  if (s['enum'] !== undefined && (!Array.isArray(s['enum']) || s['enum'].length === 0)) out.push(`${where}: enum must be a non-empty list`);
  if (s['pattern'] !== undefined) {
    if (typeof s['pattern'] !== 'string') out.push(`${where}: pattern must be a string`);
    else {
      try {
        new RegExp(s['pattern'], 'u');
      } catch {
        out.push(`${where}: pattern is not a valid regular expression`);
      }
    }
  }
  const props = s['properties'];
  if (props !== undefined) {
    if (!isObj(props)) out.push(`${where}: properties must be an object`);
    else for (const [k, v] of Object.entries(props)) checkNode(v, `${at}.${k}`, depth + 1, budget, out);
  }
  const req = s['required'];
  if (req !== undefined && (!Array.isArray(req) || req.some((r) => typeof r !== 'string'))) out.push(`${where}: required must be a list of names`);
  const ap = s['additionalProperties'];
  if (ap !== undefined && typeof ap !== 'boolean') checkNode(ap, `${at}.*`, depth + 1, budget, out);
  if (s['items'] !== undefined) checkNode(s['items'], `${at}[]`, depth + 1, budget, out);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const matchesType = (v: unknown, t: string): boolean => {
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
};

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Problems with `value` against a schema that passed checkSchema (empty: valid). */
export function validate(schema: Schema, value: unknown): string[] {
  const out: string[] = [];
  validateNode(schema, value, '', out);
  return out;
}

function validateNode(s: Schema, v: unknown, at: string, out: string[]): void {
  if (out.length >= MAX_ERRORS) return;
  const where = at || '(root)';
  const t = s['type'];
  const types = (Array.isArray(t) ? t : t === undefined ? [] : [t]) as string[];
  if (types.length > 0 && !types.some((x) => matchesType(v, x))) {
    out.push(`${where}: expected ${types.join(' or ')}, got ${typeOf(v)}`);
    return;
  }
  if (Array.isArray(s['enum']) && !s['enum'].some((e) => deepEqual(e, v))) out.push(`${where}: not one of the allowed values`);
  if (s['const'] !== undefined && !deepEqual(s['const'], v)) out.push(`${where}: not the required value`);
  if (typeof v === 'number') {
    const n = (k: string) => s[k] as number | undefined;
    if (n('minimum') !== undefined && v < n('minimum')!) out.push(`${where}: below ${n('minimum')}`);
    if (n('maximum') !== undefined && v > n('maximum')!) out.push(`${where}: above ${n('maximum')}`);
    if (n('exclusiveMinimum') !== undefined && v <= n('exclusiveMinimum')!) out.push(`${where}: not above ${n('exclusiveMinimum')}`);
    if (n('exclusiveMaximum') !== undefined && v >= n('exclusiveMaximum')!) out.push(`${where}: not below ${n('exclusiveMaximum')}`);
  }
  if (typeof v === 'string') {
    const len = [...v].length;
    if (typeof s['minLength'] === 'number' && len < s['minLength']) out.push(`${where}: shorter than ${s['minLength']}`);
    if (typeof s['maxLength'] === 'number' && len > s['maxLength']) out.push(`${where}: longer than ${s['maxLength']}`);
    if (typeof s['pattern'] === 'string' && !new RegExp(s['pattern'], 'u').test(v)) out.push(`${where}: does not match the pattern`);
  }
  if (Array.isArray(v)) {
    if (typeof s['minItems'] === 'number' && v.length < s['minItems']) out.push(`${where}: fewer than ${s['minItems']} items`);
    if (typeof s['maxItems'] === 'number' && v.length > s['maxItems']) out.push(`${where}: more than ${s['maxItems']} items`);
    if (isObj(s['items'])) v.forEach((x, i) => validateNode(s['items'] as Schema, x, `${at}[${i}]`, out));
  }
  if (isObj(v)) {
    const props = isObj(s['properties']) ? s['properties'] : {};
    if (Array.isArray(s['required'])) for (const r of s['required'] as string[]) if (!(r in v)) out.push(`${at}.${r}: required`);
    for (const [k, x] of Object.entries(v)) {
      const p = props[k];
      if (isObj(p)) validateNode(p, x, `${at}.${k}`, out);
      else if (s['additionalProperties'] === false) out.push(`${at}.${k}: not allowed`);
      else if (isObj(s['additionalProperties'])) validateNode(s['additionalProperties'], x, `${at}.${k}`, out);
    }
  }
}
