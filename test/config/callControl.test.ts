// The callControl and platform settings: defaults, and validation errors that name the key.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

const load = (overrides: Record<string, unknown>, env: Record<string, string> = {}) => loadConfig({ env, cwd: '/', overrides });
const problem = (overrides: Record<string, unknown>, env: Record<string, string> = {}): string => {
  try {
    load(overrides, env);
  } catch (err) {
    return String(err instanceof Error ? err.message : err);
  }
  throw new Error('the config was accepted');
};

describe('callControl config', () => {
  it('is off by default: no built-in tools, no timeouts, Twilio API at api.twilio.com', () => {
    const c = load({});
    expect(c.callControl.tools).toEqual([]);
    expect(c.callControl.idleTimeoutMs).toBe(0);
    expect(c.callControl.maxCallMs).toBe(0);
    expect(c.platform.twilioApiUrl).toBe('https://api.twilio.com');
  });

  it('takes the platform settings from the environment', () => {
    const c = load({}, { PARLEY_TWILIO_API_URL: 'http://127.0.0.1:9', PARLEY_TWILIO_ACCOUNT_SID: 'AC123', PARLEY_FREESWITCH_ESL: 'fs.local:8021', PARLEY_FREESWITCH_ESL_PASSWORD: 'pw' });
    expect(c.platform).toMatchObject({ twilioApiUrl: 'http://127.0.0.1:9', twilioAccountSid: 'AC123', freeswitchEsl: 'fs.local:8021', freeswitchEslPassword: 'pw' });
  });

  it('names the key of every refusal', () => {
    expect(problem({ callControl: { tools: ['hang_up'] } })).toMatch(/callControl\.tools/);
    expect(problem({ callControl: { tools: ['transfer_call'] } })).toMatch(/callControl\.transferTargets.*at least one target/);
    expect(problem({ callControl: { transferTargets: { sales: '+1 415 555' } } })).toMatch(/callControl\.transferTargets\.sales/);
    expect(problem({ callControl: { transferTargets: { 'bad name': '1000' } } })).toMatch(/callControl\.transferTargets/);
    expect(problem({ callControl: { endCallMaxWaitMs: 10 } })).toMatch(/callControl\.endCallMaxWaitMs/);
    expect(problem({}, { PARLEY_FREESWITCH_ESL: 'fs.local:8021' })).toMatch(/platform\.freeswitchEslPassword/);
    expect(problem({}, { PARLEY_FREESWITCH_ESL: 'fs.local' })).toMatch(/PARLEY_FREESWITCH_ESL|platform\.freeswitchEsl/);
    // A Twilio API key: both halves, an account SID for the path, an SK… SID.
    expect(problem({}, { PARLEY_TWILIO_ACCOUNT_SID: 'AC123', PARLEY_TWILIO_API_KEY_SID: 'SK123' })).toMatch(/platform\.twilioApiKeySecret.*PARLEY_TWILIO_API_KEY_SECRET|PARLEY_TWILIO_API_KEY_SECRET.*twilioApiKeySecret/s);
    expect(problem({}, { PARLEY_TWILIO_ACCOUNT_SID: 'AC123', PARLEY_TWILIO_API_KEY_SECRET: 's' })).toMatch(/PARLEY_TWILIO_API_KEY_SID/);
    expect(problem({}, { PARLEY_TWILIO_API_KEY_SID: 'SK123', PARLEY_TWILIO_API_KEY_SECRET: 's' })).toMatch(/PARLEY_TWILIO_ACCOUNT_SID/);
    expect(problem({}, { PARLEY_TWILIO_ACCOUNT_SID: 'AC123', PARLEY_TWILIO_API_KEY_SID: 'AC999', PARLEY_TWILIO_API_KEY_SECRET: 's' })).toMatch(/PARLEY_TWILIO_API_KEY_SID.*SK/s);
    expect(problem({ callControl: { tools: ['end_call'] }, tools: { end_call: { description: 'x', url: 'http://127.0.0.1/x' } } })).toMatch(/tools\.end_call.*built-in/);
  });

  it('takes a Twilio API key from the environment', () => {
    const c = load({}, { PARLEY_TWILIO_ACCOUNT_SID: 'AC123', PARLEY_TWILIO_API_KEY_SID: 'SK123', PARLEY_TWILIO_API_KEY_SECRET: 'sec' });
    expect(c.platform).toMatchObject({ twilioAccountSid: 'AC123', twilioApiKeySid: 'SK123', twilioApiKeySecret: 'sec' });
  });

  it('accepts numbers, SIP URIs and extensions as destinations', () => {
    const c = load({ callControl: { tools: ['transfer_call'], transferTargets: { a: '+14155550100', b: 'sip:desk@pbx.example.com', c: '1000' } } });
    expect(Object.keys(c.callControl.transferTargets)).toEqual(['a', 'b', 'c']);
  });
});
