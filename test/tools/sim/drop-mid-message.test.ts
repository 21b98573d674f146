// The chaos bench's telephony fault: a caller dropping its socket mid-message. A drop asked for
// after the caller already hung up (its `stop` sent) does nothing and says so, so the bench does
// not judge a hangup as a dropped call (chaos-1-226: expected socket_error, got hangup).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimCall } from '../../../src/tools/sim/caller/index.js';
import { startEchoServer, type EchoServer } from './echo-server.js';

describe('SimCall.dropMidMessage', () => {
  let echo: EchoServer;
  beforeAll(async () => {
    echo = await startEchoServer({ leadMs: 160 });
  });
  afterAll(() => echo.close());

  it('drops a live call without a stop, and reports that it did', async () => {
    let connected!: () => void;
    const up = new Promise<void>((r) => (connected = r));
    const call = new SimCall({ url: echo.url('/twilio'), script: [{ kind: 'say', ms: 5000 }, { kind: 'hangup' }], callId: 'drop-live', onTimeline: (e) => e.kind === 'connected' && connected() });
    call.start();
    await up;
    await new Promise((r) => setTimeout(r, 200));
    expect(call.dropMidMessage()).toBe(true);
    const report = await call.done;
    expect(report.timeline.some((e) => e.kind === 'hangup' && e.detail === 'dropped mid-message')).toBe(true);
    expect(echo.calls.at(-1)?.stopped).toBe(false);
  });

  it('does nothing once the caller hung up (its stop went out): no drop to count', async () => {
    let hungUp!: () => void;
    const gone = new Promise<void>((r) => (hungUp = r));
    const call = new SimCall({ url: echo.url('/twilio'), script: [{ kind: 'say', ms: 200 }, { kind: 'hangup' }], callId: 'drop-late', onTimeline: (e) => e.kind === 'hangup' && hungUp() });
    call.start();
    await gone;
    expect(call.dropMidMessage()).toBe(false);
    await call.done;
    expect(echo.calls.at(-1)?.stopped).toBe(true);
  });
});
