// `parley sim-call --protocol audiosocket --url tcp://host:port`: one scripted AudioSocket call
// (speak, hear the reply, speak again and talk over the second reply, hang up) and its report.
import { AudioSocketCaller } from './audiosocket.js';

export interface AudioSocketReport {
  readonly uuid: string;
  readonly ok: boolean;
  readonly failure?: string;
  /** Agent audio the caller heard, in all. */
  readonly heardMs: number;
  /** Agent audio heard more than 1 s after the caller began talking over it (0 when cut off). */
  readonly heardLateMs: number;
  /** The most audio Parley kept queued at the far side (what a barge-in cannot recall). */
  readonly maxQueuedMs: number;
  /** Its 95th percentile (robust to this process's own stalls). */
  readonly queuedP95Ms: number;
  readonly malformedFromParley: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function heard(c: AudioSocketCaller, ms: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  const from = c.heardMs();
  while (c.heardMs() - from < ms) {
    if (Date.now() > end || c.closed) return false;
    await sleep(10);
  }
  return true;
}

export async function audioSocketCall(url: string, maxCallMs = 60_000, uuid?: string): Promise<AudioSocketReport> {
  const c = new AudioSocketCaller({ url, ...(uuid ? { uuid } : {}) });
  await c.ready;
  c.start();
  const fail = (failure: string): AudioSocketReport => ({ uuid: c.uuid, ok: false, failure, heardMs: c.heardMs(), heardLateMs: 0, maxQueuedMs: c.maxQueuedMs, queuedP95Ms: c.queuedP95(), malformedFromParley: c.malformed });
  const budget = Math.max(5000, maxCallMs / 3);
  c.say(true);
  await sleep(1200);
  c.say(false);
  if (!(await heard(c, 300, budget))) return fail('no reply to the first turn');
  await sleep(1500);
  c.say(true);
  await sleep(800);
  c.say(false);
  if (!(await heard(c, 600, budget))) return fail('no reply to the second turn');
  const t = c.now();
  c.say(true);
  await sleep(1000 + 600);
  c.say(false);
  const heardLateMs = c.heardAfter(t + 1000);
  await sleep(500);
  c.hangup();
  await c.ended;
  return { uuid: c.uuid, ok: heardLateMs === 0, ...(heardLateMs > 0 ? { failure: 'agent audio heard after the barge-in' } : {}), heardMs: c.heardMs(), heardLateMs, maxQueuedMs: c.maxQueuedMs, queuedP95Ms: c.queuedP95(), malformedFromParley: c.malformed };
}
