// send_dtmf on the platforms Parley reaches only through their media stream: Plivo documents
// `sendDTMF` (sent, and read by its emulator as an action on the call); every other such platform
// answers "not supported" with its name — never another platform's message on its socket.
import { describe, expect, it } from 'vitest';
import { MediaStreamDriver } from '../../src/platform/drivers.js';
import { TelephonyOut } from '../../src/session/feeds/telephonyOut.js';
import type { TelephonySocket } from '../../src/session/seam.js';
import { PLATFORMS } from '../../src/telephony/registry.js';
import type { CallStart } from '../../src/telephony/types.js';
import { createLeg } from '../../src/tools/sim/caller/leg-factory.js';

const START: CallStart = { kind: 'start', callId: 'c', streamId: 's', format: { codec: 'mulaw', rate: 8000 }, customParameters: {}, implicit: false };

function socket(open = true) {
  const sent: (string | Buffer)[] = [];
  const ws = { OPEN: 1, readyState: open ? 1 : 3, bufferedAmount: 0, send: (m: string | Buffer) => sent.push(m) };
  return { ws: ws as unknown as TelephonySocket, sent };
}

function driverFor(id: string, open = true) {
  const p = PLATFORMS.find((x) => x.id === id)!;
  const s = socket(open);
  const out = new TelephonyOut(s.ws, p.createEncoder(START), p.createFarSide(START.format, {}));
  return { driver: new MediaStreamDriver(id, (d) => out.dtmf(d)), sent: s.sent };
}

describe('send_dtmf through the media stream', () => {
  it('Plivo: one sendDTMF, which its emulator takes as an action on the call', async () => {
    const { driver, sent } = driverFor('plivo');
    expect(await driver.act({ callId: 'c' }, { kind: 'dtmf', digits: '12#' })).toMatchObject({ outcome: 'ok' });
    expect(sent.map((m) => JSON.parse(String(m)))).toEqual([{ event: 'sendDTMF', dtmf: '12#' }]);
    expect(createLeg('plivo', { url: 'ws://x/plivo' }, 'p').parse(sent[0]!, false, false)).toMatchObject({ kind: 'action' });
    // The w pause is send_dtmf's, not Plivo's: refused with the reason, nothing sent.
    expect(await driver.act({ callId: 'c' }, { kind: 'dtmf', digits: '1w2' })).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('no w pause') });
    expect(sent).toHaveLength(1);
  });

  it('Plivo: a closed stream is a network failure', async () => {
    const { driver, sent } = driverFor('plivo', false);
    expect(await driver.act({ callId: 'c' }, { kind: 'dtmf', digits: '5' })).toMatchObject({ outcome: 'network' });
    expect(sent).toEqual([]);
  });

  it('the others say it is not supported there, naming the platform, and send nothing', async () => {
    const others = PLATFORMS.filter((p) => p.transport === 'websocket' && !['twilio', 'audio-stream', 'plivo'].includes(p.id)).map((p) => p.id);
    expect(others).toEqual(expect.arrayContaining(['telnyx', 'exotel', 'asterisk', 'vonage', 'signalwire']));
    for (const id of others) {
      const { driver, sent } = driverFor(id);
      const r = await driver.act({ callId: 'c' }, { kind: 'dtmf', digits: '1' });
      expect(r, id).toEqual({ outcome: 'not_configured', detail: `send_dtmf is not supported on ${id}: its stream has no message for sending digits` });
      expect(sent, id).toEqual([]);
    }
  });

  it('hang-up and transfer are not stream messages there: refused, nothing sent', async () => {
    const { driver, sent } = driverFor('telnyx');
    expect((await driver.act({ callId: 'c' }, { kind: 'transfer', destination: '+14155550100' })).outcome).toBe('not_configured');
    expect((await driver.act({ callId: 'c' }, { kind: 'hangup' })).outcome).toBe('not_configured');
    expect(sent).toEqual([]);
  });
});
