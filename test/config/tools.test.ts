// The `tools:` map of the config file: file only, parameters checked as a schema at start,
// header values filled from the environment (and redacted), bounds on the timeout.
import { describe, expect, it } from 'vitest';
import { loadConfig, redactedConfig, settings } from '../../src/config/index.js';
import { configDir, problemsOf } from './fixtures.js';


const LOOKUP = `
tools:
  lookup_order:
    description: Look up an order by number
    url: http://127.0.0.1:9/orders
    headers:
      Authorization: Bearer \${ORDERS_TOKEN}
    parameters:
      type: object
      properties:
        order: { type: string }
      required: [order]
`;

describe('config: tools', () => {
  it('reads a tool from the file, fills ${ENV} headers, defaults the timeout, redacts the headers', () => {
    const c = loadConfig({ cwd: configDir(LOOKUP), env: { ORDERS_TOKEN: 'tok-1', PARLEY_WEBHOOK_SECRET: 'whsec' } });
    const t = c.tools['lookup_order']!;
    expect(t.timeoutMs).toBe(5000);
    expect(t.headers).toEqual({ Authorization: 'Bearer tok-1' });
    expect(t.parameters).toMatchObject({ type: 'object', required: ['order'] });
    expect(c.webhookSecret).toBe('whsec');
    const shown = JSON.stringify(redactedConfig(c));
    expect(shown).not.toContain('tok-1');
    expect(shown).not.toContain('whsec');
  });

  it('no tools by default, and the map is file only (no env binding, no table row)', () => {
    expect(loadConfig({ env: {}, cwd: configDir('') }).tools).toEqual({});
    expect(settings().some((s) => s.path.startsWith('tools'))).toBe(false);
  });

  it('refuses a missing environment variable, naming it and not any value', () => {
    expect(problemsOf(() => loadConfig({ cwd: configDir(LOOKUP), env: {} }))).toEqual(['tools.lookup_order.headers.Authorization: environment variable ORDERS_TOKEN is not set']);
  });

  it('refuses a parameters schema it cannot enforce, a bad name, an out-of-bounds timeout', () => {
    const tool = (name: string, extra: string) => `tools:\n  "${name}":\n    description: x\n    url: http://127.0.0.1:9/\n${extra}`;
    const load = (yaml: string) => problemsOf(() => loadConfig({ cwd: configDir(yaml), env: {} })).join('\n');
    expect(load(tool('bad name', ''))).toMatch(/tools\.bad name: a tool name is 1–64/);
    expect(load(tool('t', '    parameters: { type: object, properties: { a: { anyOf: [] } } }\n'))).toMatch(/tools\.t\.parameters: \.a: unsupported keyword 'anyOf'/);
    expect(load(tool('t', '    timeoutMs: 10\n'))).toMatch(/tools\.t\.timeoutMs/);
    expect(load(tool('t', '    timeoutMs: 600000\n'))).toMatch(/tools\.t\.timeoutMs/);
    expect(load(tool('t', '').replace('http://127.0.0.1:9/', 'ftp://x/'))).toMatch(/tools\.t\.url/);
  });
});
