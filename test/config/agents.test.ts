// The `agents:` map: profiles read from the file, their tools checked against the `tools:` map,
// placeholders against the profile's variables, and every error naming the key and what is
// accepted. And the choice per call: the named profile or default, variables filled only from
// the allow-list, cleaned and bounded.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configDir, problemsOf } from './fixtures.js';
import { chooseProfile } from '../../src/session/profile.js';


const TOOLS = `
tools:
  lookup_order:
    description: Look up an order
    url: http://127.0.0.1:9/orders
`;

const GOOD = `${TOOLS}
agents:
  default:
    instructions: You are the front desk.
    greeting: Hello, how can I help?
  sales:
    instructions: You sell {{product}} to {{name}}.
    voice: cedar
    tools: [lookup_order]
    greeting: Hi {{ name }}!
    greetingInterruptible: false
    variables: [name, product]
    variableMaxChars: 5
    turnDetection: { type: server_vad, silenceDurationMs: 400 }
`;

describe('config: agents', () => {
  it('reads profiles with their defaults', () => {
    const c = loadConfig({ cwd: configDir(GOOD), env: { PARLEY_AI_VOICE: 'sage' } });
    expect(c.agents['default']).toMatchObject({ instructions: 'You are the front desk.', tools: [], greetingInterruptible: true, variables: [], variableMaxChars: 128 });
    expect(c.agents['sales']).toMatchObject({ voice: 'cedar', tools: ['lookup_order'], greetingInterruptible: false, turnDetection: { type: 'server_vad', silenceDurationMs: 400 } });
  });

  it('names the key and the accepted values for every mistake', () => {
    const bad = `${TOOLS}
agents:
  sales:
    tools: [lookup_order, refund]
    instructions: Hello {{name}}
    greetingInteruptible: false
  calm:
    turnDetection: { type: semantic_vad, eagerness: sleepy }
`;
    const p = problemsOf(() => loadConfig({ cwd: configDir(bad), env: {} })).join('\n');
    expect(p).toMatch(/'agents\.sales\.greetingInteruptible'; accepted: instructions, voice, tools, greeting, greetingInterruptible, variables/);
    expect(p).toMatch(/agents\.calm\.turnDetection\.eagerness: .*"low"\|"medium"\|"high"\|"auto"/);
    // Only once the unknown key is fixed do the cross-checks run (zod stops at the first layer).
    const bad2 = `${TOOLS}
agents:
  sales:
    tools: [lookup_order, refund]
    instructions: Hello {{name}}
  "bad name!": {}
`;
    const p2 = problemsOf(() => loadConfig({ cwd: configDir(bad2), env: {} })).join('\n');
    expect(p2).toMatch(/agents\.sales\.tools\.1: no tool named 'refund' in tools:; accepted: lookup_order/);
    expect(p2).toMatch(/agents\.bad name!: an agent profile name is 1–64 of a-z A-Z 0-9 _ -/);
    expect(p2).toMatch(/agents\.sales\.instructions: placeholder \{\{name\}\} names no variable of this profile/);
  });

  it('a profile may list the built-in call-control tools the callControl section enables, and only those', () => {
    const yaml = (tools: string) => `${TOOLS}
callControl:
  tools: [end_call]
agents:
  desk:
    tools: ${tools}
`;
    expect(loadConfig({ cwd: configDir(yaml('[lookup_order, end_call]')), env: {} }).agents['desk']?.tools).toEqual(['lookup_order', 'end_call']);
    const p = problemsOf(() => loadConfig({ cwd: configDir(yaml('[transfer_call]')), env: {} })).join('\n');
    expect(p).toMatch(/agents\.desk\.tools\.0: no tool named 'transfer_call' in tools:; accepted: lookup_order, end_call/);
  });

  it('is file only: no environment variable and no row in the settings table', async () => {
    const { settings } = await import('../../src/config/index.js');
    expect(settings().some((s) => s.path.startsWith('agents'))).toBe(false);
  });
});

describe('profile choice per call', () => {
  const c = loadConfig({ cwd: configDir(GOOD), env: { PARLEY_AI_INSTRUCTIONS: 'env instructions', PARLEY_AI_VOICE: 'sage' } });

  it('the named profile, its variables filled from the allow-list only, cleaned and cut', () => {
    const { profile, unknown } = chooseProfile(c, { agent: 'sales', name: 'Zoë\u0000\nX Y', product: '{{name}}', other: 'SECRET' });
    expect(unknown).toBeUndefined();
    expect(profile.name).toBe('sales');
    // A value is never read again as a template, cut to 5 characters, one line.
    expect(profile.instructions).toBe('You sell {{nam to Zoë X.');
    expect(profile.greeting).toBe('Hi Zoë X!');
    expect(profile.voice).toBe('cedar');
    expect(profile.tools).toEqual(['lookup_order']);
    expect(profile.greetingInterruptible).toBe(false);
    expect(JSON.stringify(profile)).not.toContain('SECRET');
  });

  it('no name → default; an unknown name → default, reported; default falls back to the env voice', () => {
    expect(chooseProfile(c, {}).profile.name).toBe('default');
    const u = chooseProfile(c, { agent: 'nope' });
    expect(u.unknown).toBe('nope');
    expect(u.profile).toMatchObject({ name: 'default', instructions: 'You are the front desk.', voice: 'sage', greeting: 'Hello, how can I help?', tools: [] });
    // A profile name inherited from Object.prototype is not a profile.
    expect(chooseProfile(c, { agent: 'constructor' }).unknown).toBe('constructor');
  });

  it('without an agents map: the environment is the default profile, with every tool', () => {
    const plain = loadConfig({ cwd: configDir(TOOLS), env: { PARLEY_AI_INSTRUCTIONS: 'env instructions', PARLEY_AI_VOICE: 'sage' } });
    const { profile } = chooseProfile(plain, { agent: 'sales' });
    expect(profile).toMatchObject({ name: 'default', instructions: 'env instructions', voice: 'sage', tools: 'all', greetingInterruptible: true });
    expect(profile.greeting).toBeUndefined();
  });
});
