// The platform drivers against stand-ins speaking the real protocols: Twilio's Call update
// (form-encoded, basic auth; hang-up, <Dial> transfer, failures said in the result) and the
// FreeSWITCH event socket (auth, api uuid_*, -ERR, a stalled reply bounded by the timeout, DTMF
// events filtered by uuid, reconnect with the filters restored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EslDriver, StreamJsonDriver, streamActionMessage } from '../../src/platform/drivers.js';
import { EslClient } from '../../src/platform/eslClient.js';
import { EslParser } from '../../src/platform/eslFrame.js';
import { TwilioRestDriver, transferTwiml } from '../../src/platform/twilioRest.js';
import { platformDrivers } from '../../src/platform/fromConfig.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/obs/index.js';
import { startFakeEsl, type FakeEsl } from '../../src/tools/sim/platform/fakeEsl.js';
import { startFakeTwilio, type FakeTwilio } from '../../src/tools/sim/platform/fakeTwilio.js';

const SID = 'AC0123456789abcdef0123456789abcdef';
const CALL = 'CA0123456789abcdef0123456789abcdef';
const KEY = 'SK0123456789abcdef0123456789abcdef';
const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('Twilio REST driver', () => {
  let tw: FakeTwilio;
  beforeAll(async () => {
    tw = await startFakeTwilio({ accountSid: SID, authToken: 'tok', apiKeys: [{ sid: KEY, secret: 'key-secret' }], knownCalls: [CALL] });
  });
  afterAll(() => tw.close());
  const driver = (token = 'tok', timeoutMs = 2000) => new TwilioRestDriver({ baseUrl: tw.url, accountSid: SID, credentials: { user: SID, password: token }, timeoutMs });

  it('authenticates with an API key (user = key SID, password = secret), the account SID still in the path', async () => {
    const before = tw.updates.length;
    const keyed = (secret: string) => new TwilioRestDriver({ baseUrl: tw.url, accountSid: SID, credentials: { user: KEY, password: secret }, timeoutMs: 2000 });
    expect((await keyed('key-secret').act({ callId: CALL }, { kind: 'hangup' })).outcome).toBe('ok');
    expect(tw.updates.slice(before).map((u) => [u.accountSid, u.form])).toEqual([[SID, { Status: 'completed' }]]);
    expect(await keyed('wrong').act({ callId: CALL }, { kind: 'hangup' })).toMatchObject({ outcome: 'http_error', detail: expect.stringContaining('20003') });
    // From the environment: the key is preferred over the auth token when both are set.
    const env = { PARLEY_TWILIO_API_URL: tw.url, PARLEY_TWILIO_ACCOUNT_SID: SID, PARLEY_TWILIO_AUTH_TOKEN: 'not-the-token', PARLEY_TWILIO_API_KEY_SID: KEY, PARLEY_TWILIO_API_KEY_SECRET: 'key-secret' };
    const fromEnv = platformDrivers(loadConfig({ env, cwd: '/' }), silentLogger());
    expect((await fromEnv.drivers.twilio.act({ callId: CALL }, { kind: 'hangup' })).outcome).toBe('ok');
    fromEnv.close();
    // The key is the account's, but the path must still name the account.
    const other = new TwilioRestDriver({ baseUrl: tw.url, accountSid: 'AC' + 'f'.repeat(32), credentials: { user: KEY, password: 'key-secret' }, timeoutMs: 2000 });
    expect((await other.act({ callId: CALL }, { kind: 'hangup' })).outcome).toBe('http_error');
    expect(tw.updates.length).toBe(before + 2);
  });

  it('hangs up with Status=completed and transfers with <Dial> TwiML, one request each', async () => {
    const before = tw.updates.length;
    expect((await driver().act({ callId: CALL }, { kind: 'hangup' })).outcome).toBe('ok');
    expect((await driver().act({ callId: CALL }, { kind: 'transfer', destination: '+14155550100' })).outcome).toBe('ok');
    expect((await driver().act({ callId: CALL }, { kind: 'transfer', destination: 'sip:desk@example.com' })).outcome).toBe('ok');
    const got = tw.updates.slice(before);
    expect(got.map((u) => u.form)).toEqual([
      { Status: 'completed' },
      { Twiml: '<Response><Dial><Number>+14155550100</Number></Dial></Response>' },
      { Twiml: '<Response><Dial><Sip>sip:desk@example.com</Sip></Dial></Response>' },
    ]);
    expect(got.every((u) => u.callSid === CALL && u.accountSid === SID)).toBe(true);
  });

  it('escapes the destination in the TwiML', () => {
    expect(transferTwiml('sip:a@b.c;x=<y>')).toBe('<Response><Dial><Sip>sip:a@b.c;x=&#60;y&#62;</Sip></Dial></Response>');
  });

  it('says why when Twilio refuses: bad credentials, an unknown call, a server error, no answer', async () => {
    expect(await driver('wrong').act({ callId: CALL }, { kind: 'hangup' })).toMatchObject({ outcome: 'http_error', detail: expect.stringContaining('401') });
    const unknown = await driver().act({ callId: 'CAffffffffffffffffffffffffffffffff' }, { kind: 'hangup' });
    expect(unknown).toMatchObject({ outcome: 'http_error', detail: expect.stringContaining('20404') });
    tw.failNext(500);
    expect((await driver().act({ callId: CALL }, { kind: 'hangup' })).outcome).toBe('http_error');
    tw.stallNext();
    expect((await driver('tok', 300).act({ callId: CALL }, { kind: 'hangup' })).outcome).toBe('timeout');
    expect((await driver().act({ callId: CALL }, { kind: 'dtmf', digits: '1' })).outcome).toBe('refused');
  });
});

describe('FreeSWITCH event socket', () => {
  let fs: FakeEsl;
  let esl: EslClient;
  beforeAll(async () => {
    fs = await startFakeEsl('ClueCon');
    esl = new EslClient({ host: fs.host, port: fs.port, password: 'ClueCon', commandTimeoutMs: 400, backoffMs: 50, maxBackoffMs: 200 });
    esl.start();
    await until(() => esl.connected);
  });
  afterAll(async () => {
    esl.close();
    await fs.close();
  });

  it('authenticates and subscribes to DTMF events', () => {
    expect(fs.commands.map((c) => c.line)).toContain('event plain DTMF');
  });

  it('runs uuid_kill, uuid_transfer and uuid_send_dtmf; -ERR is a refusal', async () => {
    fs.addChannel('0f6e-1');
    const d = new EslDriver(esl);
    expect((await d.act({ callId: '0f6e-1' }, { kind: 'dtmf', digits: '12w#' })).outcome).toBe('ok');
    expect((await d.act({ callId: '0f6e-1' }, { kind: 'transfer', destination: '1000' })).outcome).toBe('ok');
    expect((await d.act({ callId: '0f6e-1' }, { kind: 'hangup' })).outcome).toBe('ok');
    expect(await d.act({ callId: '0f6e-1' }, { kind: 'hangup' })).toMatchObject({ outcome: 'refused', detail: '-ERR No such channel!' });
    const lines = fs.commands.map((c) => c.line);
    expect(lines).toContain('api uuid_send_dtmf 0f6e-1 12w#');
    expect(lines).toContain('api uuid_transfer 0f6e-1 1000');
    expect(lines.filter((l) => l === 'api uuid_kill 0f6e-1 NORMAL_CLEARING')).toHaveLength(2);
  });

  it('a stalled reply fails at the command timeout; the connection is re-opened and the next command gets its own reply', async () => {
    fs.addChannel('0f6e-2');
    fs.stallNext();
    const t0 = Date.now();
    expect((await esl.api('uuid_kill 0f6e-2')).outcome).toBe('timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
    // Reply order can no longer be trusted: the client re-connected.
    await until(() => esl.connected);
    expect((await esl.api('uuid_kill 0f6e-2')).outcome).toBe('ok');
  });

  it('delivers DTMF only for subscribed uuids, and restores the filters after a reconnect', async () => {
    const got: string[] = [];
    const other: string[] = [];
    const off = esl.subscribe('call-a', (d) => got.push(d));
    await until(() => fs.commands.some((c) => c.line === 'filter Unique-ID call-a'));
    fs.pressDigit('call-a', '4');
    fs.pressDigit('call-b', '9');
    await until(() => got.length === 1);
    expect(got).toEqual(['4']);
    expect(other).toEqual([]);
    const conns = fs.connections();
    fs.dropAll();
    await until(() => fs.connections() > conns && esl.connected);
    await until(() => fs.commands.filter((c) => c.line === 'filter Unique-ID call-a').length === 2);
    fs.pressDigit('call-a', '#');
    await until(() => got.length === 2);
    expect(got).toEqual(['4', '#']);
    off();
    await until(() => fs.commands.some((c) => c.line === 'filter delete Unique-ID call-a'));
  });

  it('refuses with a wrong password (no commands run)', async () => {
    const states: string[] = [];
    const bad = new EslClient({ host: fs.host, port: fs.port, password: 'nope', backoffMs: 10_000, onState: (s, why) => states.push(`${s}:${why}`) });
    bad.start();
    await until(() => states.length > 0);
    expect(states[0]).toBe('down:authentication refused');
    expect((await bad.api('uuid_kill x')).outcome).toBe('network');
    bad.close();
  });
});

describe('ESL framing and the audio-stream action message', () => {
  it('parses headers and Content-Length bodies split across chunks', () => {
    const p = new EslParser();
    const msg = 'Content-Type: api/response\nContent-Length: 4\n\n+OK\nContent-Type: command/reply\nReply-Text: +OK\n\n';
    const out = [...p.push(Buffer.from(msg.slice(0, 30))), ...p.push(Buffer.from(msg.slice(30)))];
    expect(out.map((m) => [m.headers.get('Content-Type'), m.body])).toEqual([
      ['api/response', '+OK\n'],
      ['command/reply', ''],
    ]);
  });

  it('sends {"type":"parley.action"} on the stream, or fails when the stream is closed', async () => {
    expect(JSON.parse(streamActionMessage('u1', { kind: 'transfer', destination: '1000' }))).toEqual({ type: 'parley.action', callId: 'u1', action: 'transfer', destination: '1000' });
    const sent: string[] = [];
    const d = new StreamJsonDriver();
    expect((await d.act({ callId: 'u1', sendText: (t) => (sent.push(t), true) }, { kind: 'hangup' })).outcome).toBe('ok');
    expect(JSON.parse(sent[0]!)).toEqual({ type: 'parley.action', callId: 'u1', action: 'hangup' });
    expect((await d.act({ callId: 'u1', sendText: () => false }, { kind: 'hangup' })).outcome).toBe('network');
  });
});
