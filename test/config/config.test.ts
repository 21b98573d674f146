import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_BINDINGS, loadConfig, redactedConfig, settings, settingsMarkdownTable } from '../../src/config/index.js';
import { configDir, problemsOf } from './fixtures.js';

const dir = (): string => configDir();

describe('config', () => {
  it('has the documented defaults with no file and no env', () => {
    const c = loadConfig({ env: {}, cwd: dir() });
    expect(c.port).toBe(8080);
    expect(c.ai.mode).toBe('local');
    expect(c.ai.openaiUrl).toBe('wss://api.openai.com/v1/realtime?model=gpt-realtime');
    expect(c.media.engine).toBe('native');
    expect(c.media.lookaheadMs).toBe(80);
    expect(c.reconnect.delaysMs).toEqual([100, 1000, 2000, 4000]);
    expect(c.reconnect.attempts).toBe(5);
    expect(c.authToken).toBeUndefined();
  });

  it('defaults the AI to openai when a key is set', () => {
    expect(loadConfig({ env: { OPENAI_API_KEY: 'sk-x' }, cwd: dir() }).ai.mode).toBe('openai');
  });

  it('reads every documented env name', () => {
    const c = loadConfig({
      cwd: dir(),
      env: {
        PORT: '9000',
        PARLEY_AI: 'openai',
        PARLEY_OPENAI_URL: 'ws://127.0.0.1:9/v1/realtime',
        PARLEY_ELEVENLABS_URL: 'ws://127.0.0.1:9/tts',
        PARLEY_AUTH_TOKEN: 'tok',
        PARLEY_TRACE_DIR: '/tmp/traces',
        PARLEY_MEDIA: 'js',
        PARLEY_RECONNECT_DELAYS_MS: '10, 20',
        PARLEY_AI_INTERRUPT_RESPONSE: 'yes',
      },
    });
    expect(c.port).toBe(9000);
    expect(c.ai.mode).toBe('openai');
    expect(c.ai.openaiUrl).toBe('ws://127.0.0.1:9/v1/realtime');
    expect(c.ai.elevenlabsUrl).toBe('ws://127.0.0.1:9/tts');
    expect(c.authToken).toBe('tok');
    expect(c.traceDir).toBe('/tmp/traces');
    expect(c.media.engine).toBe('js');
    expect(c.reconnect.delaysMs).toEqual([10, 20]);
    expect(c.ai.interruptResponse).toBe(true);
  });

  it('lets env override the yaml file, and keeps file values env does not name', () => {
    const d = dir();
    writeFileSync(join(d, 'parley.config.yaml'), 'port: 7000\nmedia:\n  lookaheadMs: 120\nlimits:\n  maxCalls: 5\n');
    const c = loadConfig({ env: { PORT: '7001' }, cwd: d });
    expect(c.port).toBe(7001);
    expect(c.media.lookaheadMs).toBe(120);
    expect(c.limits.maxCalls).toBe(5);
  });

  it('reads a json file named by PARLEY_CONFIG', () => {
    const d = dir();
    writeFileSync(join(d, 'other.json'), JSON.stringify({ shutdown: { drainMs: 1234 } }));
    expect(loadConfig({ env: { PARLEY_CONFIG: 'other.json' }, cwd: d }).shutdown.drainMs).toBe(1234);
  });

  it('names the key, the env variable and the accepted values for a bad value', () => {
    const p = problemsOf(() => loadConfig({ env: { PARLEY_LOOKAHEAD_MS: '500' }, cwd: dir() }));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('PARLEY_LOOKAHEAD_MS (media.lookaheadMs) = 500 from env PARLEY_LOOKAHEAD_MS');
    expect(p[0]).toContain('integer 40–200');
  });

  it('media.mallocTrimMs: PARLEY_MALLOC_TRIM_MS, 0 (never, the default) up to 10 minutes', () => {
    expect(loadConfig({ env: {}, cwd: dir() }).media.mallocTrimMs).toBe(0);
    expect(loadConfig({ env: { PARLEY_MALLOC_TRIM_MS: '10000' }, cwd: dir() }).media.mallocTrimMs).toBe(10_000);
    const p = problemsOf(() => loadConfig({ env: { PARLEY_MALLOC_TRIM_MS: '-1' }, cwd: dir() }));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('PARLEY_MALLOC_TRIM_MS (media.mallocTrimMs) = -1 from env PARLEY_MALLOC_TRIM_MS');
    expect(p[0]).toContain('integer 0–600000');
  });

  it('media.wakeEveryTicks: PARLEY_MEDIA_WAKE_TICKS, 1 (every tick) up to 4, below the lookahead in frames', () => {
    expect(loadConfig({ env: {}, cwd: dir() }).media.wakeEveryTicks).toBe(1);
    expect(loadConfig({ env: { PARLEY_MEDIA_WAKE_TICKS: '2' }, cwd: dir() }).media.wakeEveryTicks).toBe(2);
    const p = problemsOf(() => loadConfig({ env: { PARLEY_MEDIA_WAKE_TICKS: '5' }, cwd: dir() }));
    expect(p).toHaveLength(1);
    expect(p[0]).toContain('PARLEY_MEDIA_WAKE_TICKS (media.wakeEveryTicks) = 5 from env PARLEY_MEDIA_WAKE_TICKS');
    expect(p[0]).toContain('integer 1–4');
    // An 80 ms lead covers at most 3 ticks' frames per wake-up.
    const lead = problemsOf(() => loadConfig({ env: { PARLEY_MEDIA_WAKE_TICKS: '4' }, cwd: dir() }));
    expect(lead).toHaveLength(1);
    expect(lead[0]).toMatch(/PARLEY_MEDIA_WAKE_TICKS \(media\.wakeEveryTicks\).*below media\.lookaheadMs \/ 20 ms \(80 ms: accepted 1\.\.3\)/);
    expect(loadConfig({ env: { PARLEY_MEDIA_WAKE_TICKS: '4', PARLEY_LOOKAHEAD_MS: '100' }, cwd: dir() }).media.wakeEveryTicks).toBe(4);
  });

  it('lists every bad value at once, from file and env', () => {
    const d = dir();
    writeFileSync(join(d, 'parley.config.json'), JSON.stringify({ media: { engine: 'rust' }, limits: { maxCalls: 0 } }));
    const p = problemsOf(() => loadConfig({ env: { PARLEY_AI: 'gemini' }, cwd: d }));
    expect(p).toHaveLength(3);
    expect(p.join('\n')).toMatch(/PARLEY_MEDIA \(media\.engine\) = "rust" from .*parley\.config\.json.*native \| js/);
    expect(p.join('\n')).toMatch(/PARLEY_AI \(ai\.mode\) = "gemini" from env PARLEY_AI.*openai \| cascade \| local/);
    expect(p.join('\n')).toMatch(/PARLEY_MAX_CALLS \(limits\.maxCalls\) = 0/);
  });

  it('rejects strings that are not numbers, and malformed lists', () => {
    const p = problemsOf(() => loadConfig({ env: { PORT: 'eighty', PARLEY_RECONNECT_DELAYS_MS: '1,x' }, cwd: dir() }));
    expect(p).toEqual([
      'PORT (port) = "eighty": expected an integer',
      'PARLEY_RECONNECT_DELAYS_MS (reconnect.delaysMs) = "1,x": expected a comma-separated list of integers, e.g. 100,1000,2000,4000',
    ]);
  });

  it('rejects unknown file keys and lists the known ones', () => {
    const d = dir();
    writeFileSync(join(d, 'parley.config.yaml'), 'media:\n  lookahead: 80\n');
    const p = problemsOf(() => loadConfig({ env: {}, cwd: d }));
    expect(p[0]).toMatch(/unknown key 'media\.lookahead'; known keys: media\.engine, media\.lookaheadMs/);
  });

  it('rejects non-ws AI URLs', () => {
    const p = problemsOf(() => loadConfig({ env: { PARLEY_OPENAI_URL: 'http://x/y' }, cwd: dir() }));
    expect(p[0]).toMatch(/PARLEY_OPENAI_URL \(ai\.openaiUrl\).*ws:\/\/ or wss:\/\/ URL/);
  });

  it('checks cross-field rules: lookahead ≥ the module minimum fill, keys for openai and cascade', () => {
    expect(problemsOf(() => loadConfig({ env: { PARLEY_LOOKAHEAD_MS: '50' }, cwd: dir() }))[0]).toMatch(
      /media\.lookaheadMs.*at least telephony\.audioStreamMinFillMs \(60\)/,
    );
    expect(problemsOf(() => loadConfig({ env: { PARLEY_AI: 'openai' }, cwd: dir() }))[0]).toMatch(/OPENAI_API_KEY .*required/);
    expect(problemsOf(() => loadConfig({ env: { PARLEY_AI: 'cascade', OPENAI_API_KEY: 'k' }, cwd: dir() }))[0]).toMatch(
      /ELEVENLABS_API_KEY .*required/,
    );
    // A stand-in server needs no key.
    expect(loadConfig({ env: { PARLEY_AI: 'openai', PARLEY_OPENAI_URL: 'ws://127.0.0.1:1/v1/realtime' }, cwd: dir() }).ai.mode).toBe('openai');
  });

  it('reports a file that does not parse', () => {
    const d = dir();
    writeFileSync(join(d, 'parley.config.json'), '{ "port": ');
    expect(problemsOf(() => loadConfig({ env: {}, cwd: d }))[0]).toMatch(/parley\.config\.json: cannot parse/);
  });

  it('never shows secrets in errors or in the redacted config', () => {
    const p = problemsOf(() => loadConfig({ env: { PARLEY_AUTH_TOKEN: 'hunter2', PORT: '-1' }, cwd: dir() }));
    expect(p.join('\n')).not.toContain('hunter2');
    const c = loadConfig({ env: { PARLEY_AUTH_TOKEN: 'hunter2', OPENAI_API_KEY: 'sk-secret' }, cwd: dir() });
    const text = JSON.stringify(redactedConfig(c));
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('sk-secret');
    expect(text).toContain('<redacted>');
  });

  it('binds every schema leaf to exactly one env name', () => {
    const paths = settings().map((s) => s.path);
    expect(new Set(ENV_BINDINGS.map((b) => b.path))).toEqual(new Set(paths));
    expect(new Set(ENV_BINDINGS.map((b) => b.env)).size).toBe(ENV_BINDINGS.length);
  });

  it('is documented in the README exactly (table of every setting)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(settingsMarkdownTable());
  });
});
