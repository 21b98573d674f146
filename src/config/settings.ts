// The list of every setting, derived from the schema (its JSON Schema form) and the env
// bindings: used for error messages ("accepted values") and the README table.
import { z } from 'zod';
import { configSchema } from './schema.js';
import { ENV_BINDINGS } from './env.js';

export interface SettingInfo {
  /** Dotted key in parley.config.(json|yaml). */
  readonly path: string;
  readonly env: string;
  /** Human text for the accepted values, e.g. "integer 40–200". */
  readonly accepted: string;
  /** Default as text, or "—". */
  readonly default: string;
  readonly doc: string;
  readonly secret: boolean;
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  default?: unknown;
  description?: string;
}

function leaves(s: JsonSchema, prefix: string, out: Map<string, JsonSchema>): Map<string, JsonSchema> {
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const path = prefix ? `${prefix}.${k}` : k;
    // File-only settings (the tools map) have no env binding and no row in the table.
    if (v.description?.startsWith('(file only)')) continue;
    if (v.type === 'object' && v.properties) leaves(v, path, out);
    else out.set(path, v);
  }
  return out;
}

const range = (lo?: number, hi?: number): string =>
  lo !== undefined && hi !== undefined ? ` ${lo}–${hi}` : lo !== undefined ? ` ≥ ${lo}` : hi !== undefined ? ` ≤ ${hi}` : '';

export function describeAccepted(s: JsonSchema): string {
  if (s.enum) return s.enum.map((e) => String(e)).join(' \\| ');
  if (s.anyOf) return s.anyOf.map((a) => (a.const !== undefined ? String(a.const) : describeAccepted(a))).join(' \\| ');
  if (s.const !== undefined) return String(s.const);
  switch (s.type) {
    case 'integer':
      return `integer${range(s.minimum, s.maximum)}`;
    case 'number':
      return `number${range(s.minimum, s.maximum)}`;
    case 'boolean':
      return 'true \\| false';
    case 'array':
      return `list of ${s.minItems ?? 0}–${s.maxItems ?? '∞'} ${s.items ? describeAccepted(s.items) : 'values'} (env: comma-separated)`;
    case 'string':
      // The schema's URL checks are zod refinements; the default says which scheme family it is.
      if (s.format === 'uri') return /^https?:/.test(String(s.default ?? '')) ? 'http:// or https:// URL' : 'ws:// or wss:// URL';
      return `string${s.maxLength ? ` (≤ ${s.maxLength} chars)` : ''}`;
    default:
      return 'see description';
  }
}

function fmtDefault(v: unknown): string {
  if (v === undefined) return '—';
  if (Array.isArray(v)) return v.join(',');
  return String(v);
}

let cached: readonly SettingInfo[] | undefined;

/** Every setting, in schema order. Throws if a leaf has no env binding (a programming error). */
export function settings(): readonly SettingInfo[] {
  if (cached) return cached;
  const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out: SettingInfo[] = [];
  for (const [path, leaf] of leaves(json, '', new Map())) {
    const b = ENV_BINDINGS.find((e) => e.path === path);
    if (!b) throw new Error(`config: setting ${path} has no environment binding in src/config/env.ts`);
    out.push({
      path,
      env: b.env,
      accepted: describeAccepted(leaf),
      default: fmtDefault(leaf.default),
      doc: leaf.description ?? '',
      secret: /\(secret/.test(leaf.description ?? ''),
    });
  }
  cached = out;
  return out;
}

export function settingForPath(path: string): SettingInfo | undefined {
  return settings().find((s) => s.path === path);
}

/** The README's "Configuration" table, exactly. */
export function settingsMarkdownTable(): string {
  const rows = settings().map((s) => `| \`${s.env}\` | \`${s.path}\` | ${s.accepted} | ${s.default === '—' ? '—' : `\`${s.default}\``} | ${s.doc} |`);
  return ['| env | file key | accepted | default | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
