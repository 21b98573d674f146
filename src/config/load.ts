// Loads the configuration: optional parley.config.(json|yaml) in the working directory (or the
// file PARLEY_CONFIG names), then the environment on top; validates everything at once and
// fails with one message per bad value, naming the key, the env variable and what is accepted.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { configSchema, type ConfigInput, type ParleyConfig } from './schema.js';
import { ENV_BINDINGS, coerceEnv } from './env.js';
import { settingForPath, settings } from './settings.js';
import { expandToolHeaders } from './tools.js';
import { AGENT_KEYS } from './agents.js';
import { expandMcpHeaders } from './mcp.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where parley.config.* is looked for; defaults to process.cwd(). */
  readonly cwd?: string;
  /** Explicit file (overrides PARLEY_CONFIG and the lookup). */
  readonly file?: string;
  /** Values applied over file and env (used by in-process tools such as `parley demo`). */
  readonly overrides?: ConfigInput;
}

const FILE_NAMES = ['parley.config.json', 'parley.config.yaml', 'parley.config.yml'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function setPath(target: Obj, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) {
    if (!isObj(o[k])) o[k] = {};
    o = o[k] as Obj;
  }
  o[keys[keys.length - 1]!] = value;
}

function deepMerge(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  }
  return out;
}

function findFile(opts: LoadOptions, env: LoadOptions['env'] & object): string | undefined {
  const cwd = opts.cwd ?? process.cwd();
  const explicit = opts.file ?? env.PARLEY_CONFIG;
  if (explicit) {
    const p = resolve(cwd, explicit);
    if (!existsSync(p)) throw new ConfigError([`PARLEY_CONFIG: file ${p} does not exist`]);
    return p;
  }
  const found = FILE_NAMES.map((n) => resolve(cwd, n)).filter((p) => existsSync(p));
  if (found.length > 1) throw new ConfigError([`more than one config file: ${found.join(', ')} (keep one)`]);
  return found[0];
}

/**
 * Where a parser failed, without the parser's excerpt of the text: the file may hold secrets
 * (V8's JSON errors quote the text around the error; yaml's add a code frame of the line).
 */
function parseProblem(path: string, err: unknown, text: string): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (path.endsWith('.json')) {
    const at = /at position (\d+)/.exec(msg);
    if (!at) return `${path}: cannot parse: not valid JSON`;
    const before = text.slice(0, Number(at[1])).split('\n');
    return `${path}: cannot parse: not valid JSON at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
  }
  return `${path}: cannot parse: ${msg.split(':\n')[0]}`;
}

function readFile(path: string): Obj {
  // Editors may save a byte-order mark; neither parser wants it.
  const text = readFileSync(path, 'utf8').replace(/^\ufeff/, '');
  let data: unknown;
  try {
    if (path.endsWith('.json')) data = JSON.parse(text);
    else {
      // Warnings (unresolved tags such as !!js/function, unknown directives) are problems too:
      // a setting must never silently become something else.
      const doc = parseDocument(text, { logLevel: 'silent' });
      const issues = [...doc.errors, ...doc.warnings];
      if (issues.length > 0) throw new ConfigError(issues.map((e) => parseProblem(path, e, text)));
      data = doc.toJS({ maxAliasCount: 100 });
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([parseProblem(path, err, text)]);
  }
  if (data === null || data === undefined) return {};
  if (!isObj(data)) throw new ConfigError([`${path}: the top level must be a mapping of settings`]);
  return data;
}

function getPath(o: unknown, path: (string | number)[]): unknown {
  let v = o;
  for (const k of path) v = isObj(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

function shown(path: string, v: unknown): string {
  if (settingForPath(path)?.secret) return '<redacted>';
  return JSON.stringify(v) ?? 'undefined';
}

function describeIssue(issue: z.core.$ZodIssue, merged: Obj, fromEnv: Map<string, string>, file?: string): string {
  // Array element issues name the array setting.
  let segs = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const where = segs.length ? `${segs.join('.')}.` : '';
    // Inside one agent profile: the keys a profile accepts.
    if (segs.length === 2 && segs[0] === 'agents') {
      return `${file ?? 'config'}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${where}${k}'`).join(', ')}; accepted: ${AGENT_KEYS.join(', ')}`;
    }
    const known = settings()
      .filter((s) => s.path.startsWith(where))
      .map((s) => s.path);
    return `${file ?? 'config'}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${where}${k}'`).join(', ')}; known keys: ${known.join(', ')}`;
  }
  while (segs.length > 0 && !settingForPath(segs.join('.'))) segs = segs.slice(0, -1);
  const path = segs.join('.');
  const info = settingForPath(path);
  if (!info) return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
  const value = getPath(merged, segs);
  const source = fromEnv.has(path) ? `env ${info.env}` : file ? `${file}` : 'default';
  const custom = issue.code === 'custom';
  return `${info.env} (${info.path}) = ${shown(path, value)} from ${source}: ${custom ? issue.message : `${issue.message}; accepted: ${info.accepted.replace(/\\\|/g, '|')}`}`;
}

/** Reads, merges and validates; throws ConfigError listing every problem. */
export function loadConfig(opts: LoadOptions = {}): ParleyConfig {
  const env = opts.env ?? process.env;
  const file = findFile(opts, env);
  const fromFile = file ? readFile(file) : {};

  const problems: string[] = [];
  const fromEnvObj: Obj = {};
  const fromEnv = new Map<string, string>();
  for (const b of ENV_BINDINGS) {
    const raw = env[b.env];
    if (raw === undefined || raw === '') continue;
    const c = coerceEnv(b.kind, raw);
    if (!c.ok) {
      const secret = settingForPath(b.path)?.secret;
      problems.push(`${b.env} (${b.path}) = ${secret ? '<redacted>' : JSON.stringify(raw)}: expected ${c.expected}`);
      continue;
    }
    setPath(fromEnvObj, b.path, c.value);
    fromEnv.set(b.path, raw);
  }
  if (problems.length) throw new ConfigError(problems);

  const merged = deepMerge(deepMerge(fromFile, fromEnvObj), (opts.overrides ?? {}) as Obj);
  const r = configSchema.safeParse(merged);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => describeIssue(i, merged, fromEnv, file)));

  const expanded = expandToolHeaders(r.data.tools, env);
  const expandedMcp = expandMcpHeaders(r.data.mcp, env);
  if (expanded.problems.length || expandedMcp.problems.length) throw new ConfigError([...expanded.problems, ...expandedMcp.problems]);
  const c = { ...r.data, tools: expanded.tools, mcp: expandedMcp.mcp };
  const mode = c.ai.mode ?? (c.ai.openaiApiKey ? 'openai' : 'local');
  // The TTS chain is the cascade's (docs/reference/original-engine.md#tts-chain); other modes opt
  // in explicitly.
  return { ...c, ai: { ...c.ai, mode }, tts: { ...c.tts, dsp: c.tts.dsp ?? mode === 'cascade' } };
}

/** The configuration with secrets replaced, for logs and `--print-config`. */
export function redactedConfig(c: ParleyConfig): unknown {
  const copy = structuredClone(c) as unknown as Obj;
  for (const s of settings()) {
    if (s.secret && getPath(copy, s.path.split('.')) !== undefined) setPath(copy, s.path, '<redacted>');
  }
  // Tool and MCP server headers carry secrets expanded from the environment.
  for (const t of [...Object.values((copy['tools'] ?? {}) as Record<string, Obj>), ...Object.values((copy['mcp'] ?? {}) as Record<string, Obj>)]) {
    const h = t['headers'] as Obj | undefined;
    if (h) for (const k of Object.keys(h)) h[k] = '<redacted>';
  }
  return copy;
}
