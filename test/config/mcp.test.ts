// The `mcp:` map of the config file: file only, header values filled from the environment (and
// redacted), an allow list required, server names that cannot be confused with server__tool.
import { describe, expect, it } from 'vitest';
import { loadConfig, redactedConfig, settings } from '../../src/config/index.js';
import { configDir, problemsOf } from './fixtures.js';

const server = (name: string, extra = '    allow: [lookup_order]\n') => `mcp:\n  ${name}:\n    url: https://mcp.example.com/mcp\n${extra}`;

describe('config: mcp', () => {
  it('reads a server, fills ${ENV} headers, defaults the timeout, redacts the headers', () => {
    const yaml = server('orders', '    allow: [lookup_order]\n    headers:\n      Authorization: Bearer ${MCP_TOKEN}\n');
    const c = loadConfig({ cwd: configDir(yaml), env: { MCP_TOKEN: 'mcp-tok-1' } });
    expect(c.mcp['orders']).toEqual({ url: 'https://mcp.example.com/mcp', allow: ['lookup_order'], headers: { Authorization: 'Bearer mcp-tok-1' }, timeoutMs: 5000 });
    expect(JSON.stringify(redactedConfig(c))).not.toContain('mcp-tok-1');
    expect(settings().some((s) => s.path.startsWith('mcp'))).toBe(false);
  });

  it('refuses a missing environment variable, a missing allow list and a server name with __', () => {
    const yaml = server('orders', '    allow: [x]\n    headers:\n      Authorization: Bearer ${NOPE}\n');
    expect(problemsOf(() => loadConfig({ cwd: configDir(yaml), env: {} }))).toEqual(['mcp.orders.headers.Authorization: environment variable NOPE is not set']);
    expect(problemsOf(() => loadConfig({ cwd: configDir(server('orders', '')), env: {} })).join('\n')).toMatch(/mcp\.orders\.allow/);
    expect(problemsOf(() => loadConfig({ cwd: configDir(server('a__b')), env: {} })).join('\n')).toMatch(/no __/);
  });
});
