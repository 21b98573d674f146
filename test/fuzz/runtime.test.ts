// Telephony fuzzing through the running bridge (real sockets on loopback, real session runtime,
// media core and offline agent): a generated connection's frames are sent to /twilio or
// /audio-stream. Properties: nothing escapes (the server stays up, no 1011), the call either
// continues (a sentinel sent last is answered) or ends with the protocol's answer (1009 on an
// oversize frame, a normal close after Twilio `stop`), and every refused frame is counted in
// parley_protocol_rejections_total by the reason a fresh decoder gives for it.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AudioStreamDecoder, TwilioDecoder, type InboundDecoder, type TelephonyProtocol } from '../../src/telephony/index.js';
import { audioStreamConnection, FUZZ_MAX_MESSAGE_BYTES, twilioConnection, type WireFrame } from '../../bench/_fuzz-telephony.js';
import { startBridge, type Bridge } from '../e2e/harness.js';

const RUNS = Number(process.env.PARLEY_FUZZ_RUNTIME_RUNS ?? 25);
const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? 20251125);

/** Twilio has no binary frames; an empty binary frame is never PCM: each is refused by one fixed reason. */
const SENTINEL: Record<TelephonyProtocol, { frame: WireFrame; reason: string }> = {
  twilio: { frame: { data: Buffer.from([0]), binary: true }, reason: 'binary_not_allowed' },
  'audio-stream': { frame: { data: Buffer.alloc(0), binary: true }, reason: 'empty_audio' },
};

interface Expected {
  /** Rejections by reason of the frames the server must process. */
  readonly rejections: Map<string, number>;
  /** Index of the frame that ends the connection (oversize, or an accepted Twilio stop), if any. */
  readonly endAt: number | undefined;
  readonly endCode: number | undefined;
}

function expected(protocol: TelephonyProtocol, frames: readonly WireFrame[]): Expected {
  const d: InboundDecoder = protocol === 'twilio' ? new TwilioDecoder({ maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES }) : new AudioStreamDecoder({ maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES, defaultSampleRate: 8000 });
  const rejections = new Map<string, number>();
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    // ws refuses an oversize frame itself (close 1009) and counts it as 'oversize'.
    if (f.data.length > FUZZ_MAX_MESSAGE_BYTES) {
      rejections.set('oversize', (rejections.get('oversize') ?? 0) + 1);
      return { rejections, endAt: i, endCode: 1009 };
    }
    const r = d.decode(f.data, f.binary);
    if (!r.ok) rejections.set(r.reason, (rejections.get(r.reason) ?? 0) + 1);
    else if (r.events.some((e) => e.kind === 'stop')) return { rejections, endAt: i, endCode: 1000 };
  }
  return { rejections, endAt: undefined, endCode: undefined };
}

async function rejectionCounts(b: Bridge, protocol: string): Promise<Map<string, number>> {
  const data = await b.app.metrics.protocolRejections.get();
  const out = new Map<string, number>();
  for (const v of data.values) if (v.labels['protocol'] === protocol) out.set(String(v.labels['reason']), v.value);
  return out;
}

const delta = (after: Map<string, number>, before: Map<string, number>) => {
  const out = new Map<string, number>();
  for (const [k, v] of after) if (v - (before.get(k) ?? 0) > 0) out.set(k, v - (before.get(k) ?? 0));
  return out;
};

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function until(check: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function fuzzConnection(b: Bridge, protocol: TelephonyProtocol, frames: readonly WireFrame[]): Promise<void> {
  const exp = expected(protocol, frames);
  const before = await rejectionCounts(b, protocol);
  const ws = await open(b.url(protocol));
  let closeCode: number | undefined;
  ws.on('close', (code) => (closeCode = code));
  ws.on('error', () => {});
  const upTo = exp.endAt === undefined ? frames.length : exp.endAt + 1;
  for (const f of frames.slice(0, upTo)) ws.send(f.data, { binary: f.binary });
  if (exp.endAt === undefined) {
    // The call goes on: the sentinel is answered (counted) and the socket stays open.
    const s = SENTINEL[protocol]!;
    ws.send(s.frame.data, { binary: true });
    const want = (exp.rejections.get(s.reason) ?? 0) + 1;
    await until(async () => (delta(await rejectionCounts(b, protocol), before).get(s.reason) ?? 0) >= want, 5000, `sentinel ${s.reason} counted`);
    expect(closeCode, 'the call survived its input').toBeUndefined();
    const got = delta(await rejectionCounts(b, protocol), before);
    exp.rejections.set(s.reason, want);
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(exp.rejections));
    ws.close(1000);
  } else {
    // The protocol's answer: 1009 for an oversize frame; the call ends normally after stop.
    await until(() => closeCode !== undefined, 5000, `close after frame ${exp.endAt}`);
    expect(closeCode).toBe(exp.endCode);
    const got = delta(await rejectionCounts(b, protocol), before);
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(exp.rejections));
  }
  await b.idle(5000);
}

describe('telephony fuzzing through the running bridge', () => {
  let bridge: Bridge;
  beforeAll(async () => {
    bridge = await startBridge({
      mode: 'local',
      config: { limits: { maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES, rateMessagesPerSec: 100_000, rateBytesPerSec: 64 * 1024 * 1024 } },
    });
  });
  afterAll(async () => {
    await bridge.close();
  });

  for (const protocol of ['twilio', 'audio-stream'] as const) {
    it(`${protocol}: every connection continues or ends by the protocol; every refusal is counted by reason`, async () => {
      const arb = protocol === 'twilio' ? twilioConnection : audioStreamConnection;
      await fc.assert(
        fc.asyncProperty(arb, (frames) => fuzzConnection(bridge, protocol, frames)),
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      );
      expect((await fetch(`http://127.0.0.1:${bridge.app.port}/healthz`)).status).toBe(200);
      expect(bridge.app.server.activeCalls).toBe(0);
      expect(await bridge.metric('parley_calls_active')).toBe(0);
    }, 120_000);
  }
});

describe('frames after the call has ended', () => {
  it('are counted (drops{reason="closed"} or a rejection), never silently ignored', async () => {
    const b = await startBridge({ mode: 'local' });
    try {
      const sid = 'MZ0123456789abcdef0123456789abcdef';
      const start = JSON.stringify({
        event: 'start',
        streamSid: sid,
        start: { streamSid: sid, callSid: 'CAlate', tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
      });
      const stop = JSON.stringify({ event: 'stop', sequenceNumber: '9', streamSid: sid, stop: {} });
      const late = Array.from({ length: 5 }, (_, i) => JSON.stringify({ event: 'mark', streamSid: sid, mark: { name: `late-${i}` } }));
      const ws = await open(b.url('twilio'));
      const closed = new Promise<number>((r) => ws.once('close', (c) => r(c)));
      const rejected0 = [...(await rejectionCounts(b, 'twilio')).values()].reduce((a, v) => a + v, 0);
      const dropped0 = await b.metric('parley_drops_total', { reason: 'closed' });
      // One write: the server reads start, stop and the late frames in one go.
      ws.send(start);
      ws.send(stop);
      for (const f of late) ws.send(f);
      expect(await closed).toBe(1000);
      await b.idle();
      const rejected = [...(await rejectionCounts(b, 'twilio')).values()].reduce((a, v) => a + v, 0) - rejected0;
      const dropped = (await b.metric('parley_drops_total', { reason: 'closed' })) - dropped0;
      expect(rejected + dropped).toBe(late.length);
    } finally {
      await b.close();
    }
  });
});
