// Grammar-aware generators for the configuration (environment variables by their kind, and
// parley.config.json / .yaml text) and a fuzz target over loadConfig. Properties: the result
// is either a configuration the schema accepts or a ConfigError naming problems — never any
// other exception — and secret values never appear in an error message or in the redacted
// configuration.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError, ENV_BINDINGS, configSchema, loadConfig, redactedConfig } from '../src/config/index.js';
import { anyJson, damageText, deepNestingText, hugeString, type Json } from './_fuzz-arb.js';
import { check, type FuzzTarget } from './_fuzz-target.js';

/** Secret settings get values containing this marker; it must never be echoed. */
export const SECRET_MARK = 'S3CR3T';
const SECRET_ENVS = new Set(['OPENAI_API_KEY', 'ELEVENLABS_API_KEY', 'PARLEY_AUTH_TOKEN']);

const intText = fc.oneof(
  fc.integer({ min: -10, max: 200_000 }).map(String),
  fc.constantFrom('', ' ', '12abc', ' 42 ', '1e3', '0x10', '+7', '-0', '99999999999999999999999', '٣', '1_000', 'NaN'),
);
const boolText = fc.constantFrom('true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 'TRUE', 'maybe', '', ' yes ');
const numText = fc.oneof(fc.double({ min: -2, max: 3, noNaN: true }).map(String), fc.constantFrom('NaN', 'Infinity', '1e-3', '.5', '5.', '-', ''));
const listText = fc.oneof(fc.array(fc.integer({ min: -5, max: 70_000 }), { maxLength: 25 }).map((a) => a.join(',')), fc.constantFrom('', ',', '1,,2', 'a,b', ' 100 , 200 '));
const stringText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom('openai', 'local', 'cascade', 'native', 'js', 'bogus', 'info', 'tone', 'none', 'ws://127.0.0.1:9/x', 'wss://h/x', 'http://h/x', 'not a url', 'ws://', '8000', '16000'),
  hugeString(100, 20_000),
);

function envValue(env: string, kind: string): fc.Arbitrary<string> {
  if (SECRET_ENVS.has(env)) return fc.string({ maxLength: 8 }).map((s) => `${SECRET_MARK}${s}`);
  switch (kind) {
    case 'int':
      return intText;
    case 'bool':
      return boolText;
    case 'number':
      return numText;
    case 'intList':
      return listText;
    default:
      return stringText;
  }
}

const envMap: fc.Arbitrary<Record<string, string>> = fc
  .subarray([...ENV_BINDINGS], { maxLength: 8 })
  .chain((bs) => (bs.length === 0 ? fc.constant([] as [string, string][]) : fc.tuple(...bs.map((b) => envValue(b.env, b.kind).map((v) => [b.env, v] as [string, string])))))
  .map((pairs) => Object.fromEntries(pairs));

/** A value of any type for a file key (numbers, strings, lists, objects, the JSON literals). */
const fileValue: fc.Arbitrary<Json> = fc.oneof(fc.integer({ min: -10, max: 100_000 }), fc.boolean(), stringText, fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 6 }), anyJson);

/** A config object: a few dotted keys set (and sometimes an unknown one). */
const configObject: fc.Arbitrary<Record<string, Json>> = fc
  .tuple(fc.subarray(ENV_BINDINGS.map((b) => b.path), { maxLength: 6 }), fc.array(fileValue, { minLength: 6, maxLength: 6 }), fc.option(fc.string({ maxLength: 10 })))
  .map(([paths, values, unknown]) => {
    const o: Record<string, Json> = {};
    paths.forEach((p, i) => {
      const keys = p.split('.');
      let at = o;
      for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, Json>;
      at[keys.at(-1)!] = p.endsWith('ApiKey') || p === 'authToken' ? `${SECRET_MARK}${i}` : values[i]!;
    });
    if (unknown) o[unknown] = 1;
    return o;
  });

const YAML_HOSTILE = [
  'a: &a [1,2]\nb: &b [*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d]', // alias bomb
  'port: !!js/function "function(){}"',
  'port: 1\nport: 2', // duplicate key
  '- port: 1',
  'port: *undefined_alias',
  '? [a, b]\n: 1',
  '%YAML 9.9\n---\nport: 1',
  'limits:\n  maxCalls: 10\n limits: x',
];

export interface ConfigInput {
  readonly env: Record<string, string>;
  readonly file?: { readonly name: 'parley.config.json' | 'parley.config.yaml'; readonly text: string };
}

const fileText: fc.Arbitrary<NonNullable<ConfigInput['file']>> = fc.oneof(
  configObject.map((o) => ({ name: 'parley.config.json' as const, text: JSON.stringify(o) })),
  configObject.map((o) => ({ name: 'parley.config.yaml' as const, text: JSON.stringify(o, null, 1) })),
  damageText(configObject.map((o) => JSON.stringify(o))).map((text) => ({ name: 'parley.config.json' as const, text })),
  fc.constantFrom(...YAML_HOSTILE).map((text) => ({ name: 'parley.config.yaml' as const, text })),
  deepNestingText(5000).map((text) => ({ name: 'parley.config.json' as const, text })),
  fc.constantFrom('null', '[]', '0', '"x"', '', '\ufeff{}').map((text) => ({ name: 'parley.config.json' as const, text })),
);

export const configInput: fc.Arbitrary<ConfigInput> = fc
  .tuple(envMap, fc.option(fileText, { freq: 3 }))
  .map(([env, file]) => (file ? { env, file } : { env }));

let scratch: string | undefined;

/** A directory holding only this file (loadConfig looks for parley.config.* in cwd): one per file name, overwritten. */
function dirWith(file: NonNullable<ConfigInput['file']> | undefined): string {
  // Memory-backed when there is one: rewriting a file on a disk file system costs milliseconds.
  scratch ??= mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'parley-fuzz-config-'));
  const dir = join(scratch, file?.name ?? 'none');
  mkdirSync(dir, { recursive: true });
  if (file) writeFileSync(join(dir, file.name), file.text);
  return dir;
}

export const configTarget: FuzzTarget<ConfigInput> = {
  protocol: 'config',
  arbitrary: configInput,
  run(input) {
    const cwd = dirWith(input.file);
    let config;
    try {
      config = loadConfig({ env: input.env, cwd });
    } catch (err) {
      check(err instanceof ConfigError, () => `loadConfig threw ${err instanceof Error ? `${err.name}: ${err.message.slice(0, 200)}` : String(err)}`);
      check(err.problems.length > 0 && err.problems.every((p) => typeof p === 'string' && p.length > 0), 'ConfigError without problems');
      check(!err.message.includes(SECRET_MARK), () => `a secret value appears in the error: ${err.message.slice(0, 300)}`);
      return ['rejected:config_error'];
    }
    const { mode, ...ai } = config.ai;
    check(configSchema.safeParse({ ...config, ai: { ...ai, mode } }).success, 'loadConfig returned a configuration the schema refuses');
    check(!JSON.stringify(redactedConfig(config)).includes(SECRET_MARK), 'a secret survives redactedConfig');
    return ['accepted:config'];
  },
};
