// Stand-ins for what a call touches outside the session: a media call the test drives by hand
// (frames and events it "emitted"), an AI client that records commands and emits events, a
// telephony socket that records what was sent, and a trace that keeps every line in memory.
import type { ToolRegistry } from '../../src/functions/registry.js';
import type { InspectionEvent } from 'xstate';
import type { AiClient, AiEvent, AiListener, AiSessionConfig, SendResult } from '../../src/ai/types.js';
import { ManualClock } from '../../src/base/clock.js';
import { loadConfig, type ConfigInput, type ParleyConfig } from '../../src/config/index.js';
import { resolveCallConfig } from '../../src/media/engine.js';
import type {
  CallCounters,
  CallMediaConfig,
  ChunkTag,
  EngineStats,
  MediaCall,
  MediaEngine,
  MediaEvent,
  PlayoutFrame,
  ResolvedCallMediaConfig,
  WriteResult,
} from '../../src/media/types.js';
import type { PlayoutState } from '../../src/generated/playout.js';
import { flattenState, Metrics, silentLogger, type CallTrace, type Logger, type TraceRecord } from '../../src/obs/index.js';
import { Call } from '../../src/session/call.js';
import type { CallConnection } from '../../src/session/seam.js';
import type { TelephonyProtocol } from '../../src/telephony/types.js';
import type { CallRecorder } from '../../src/records/index.js';

export class FakeMediaCall implements MediaCall {
  readonly id = 1;
  readonly config: ResolvedCallMediaConfig;
  epoch = 0;
  closed = false;
  state: PlayoutState | undefined;
  readonly playoutWrites: { bytes: number; tag: ChunkTag }[] = [];
  readonly captureWrites: number[] = [];
  readonly flushes: number[] = [];
  /** What the next readPlayout / events / readCapture return (the test plays the media thread). */
  frames: PlayoutFrame[] = [];
  pendingEvents: MediaEvent[] = [];
  captured: Buffer = Buffer.alloc(0);
  writeIndex = 0;
  refuseWrites: WriteResult | undefined;

  constructor(cfg: CallMediaConfig) {
    this.config = resolveCallConfig(cfg);
  }
  setState(state: PlayoutState): void {
    this.state = state;
  }
  writeCapture(bytes: Uint8Array): WriteResult {
    if (this.closed) return 'closed';
    this.captureWrites.push(bytes.length);
    return 'ok';
  }
  writePlayout(bytes: Uint8Array, tag: ChunkTag): WriteResult {
    if (this.refuseWrites) return this.refuseWrites;
    if (tag.epoch < this.epoch) return 'stale';
    this.playoutWrites.push({ bytes: bytes.length, tag });
    this.writeIndex += bytes.length;
    return 'ok';
  }
  requestFlush(newEpoch: number): void {
    this.flushes.push(newEpoch);
    this.epoch = newEpoch;
  }
  readCapture(): Buffer {
    const c = this.captured;
    this.captured = Buffer.alloc(0);
    return c;
  }
  readPlayout(): PlayoutFrame[] {
    const f = this.frames;
    this.frames = [];
    return f;
  }
  events(): MediaEvent[] {
    const e = this.pendingEvents;
    this.pendingEvents = [];
    return e;
  }
  delivered(): number | undefined {
    return undefined;
  }
  /** What bufferedPlayoutMs reports (the playout machine prefills until it reaches the lookahead). */
  buffered = 0;
  bufferedPlayoutMs(): number {
    return this.buffered;
  }
  playoutWriteIndex(): number {
    return this.writeIndex;
  }
  counters(): CallCounters {
    return {} as CallCounters;
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

export class FakeEngine implements MediaEngine {
  readonly kind = 'js' as const;
  readonly calls: FakeMediaCall[] = [];
  refuse = false;
  /** MediaEngineOptions.wakeEveryTicks the runtime reads (a test may set it). */
  wakeEveryTicks = 1;
  open(config: CallMediaConfig): MediaCall {
    if (this.refuse) throw new Error('refused by the test');
    const c = new FakeMediaCall(config);
    this.calls.push(c);
    return c;
  }
  onTick(): () => void {
    return () => {};
  }
  stats(): EngineStats {
    return {} as EngineStats;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class FakeAi implements AiClient {
  generation = 0;
  state = 'idle' as const;
  bufferedAmount = 0;
  pendingAppendBytes = 0;
  readonly sent: Record<string, unknown>[] = [];
  readonly appended: number[] = [];
  readonly closes: number[] = [];
  private listeners: AiListener[] = [];
  connect(): number {
    return ++this.generation;
  }
  close(code = 1000): void {
    this.closes.push(code);
  }
  on(listener: AiListener): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }
  emit(ev: AiEvent): void {
    for (const l of this.listeners) l(ev);
  }
  updateSession(config: AiSessionConfig): SendResult {
    this.sent.push({ type: 'session.update', config });
    return 'sent';
  }
  appendAudio(audio: Buffer): SendResult {
    this.appended.push(audio.length);
    return 'sent';
  }
  flushAudio(): SendResult {
    return 'sent';
  }
  commitAudio(): SendResult {
    return 'sent';
  }
  createResponse(): SendResult {
    this.sent.push({ type: 'response.create' });
    return 'sent';
  }
  cancelResponse(responseId?: string): SendResult {
    this.sent.push({ type: 'response.cancel', response_id: responseId });
    return 'sent';
  }
  truncate(itemId: string, audioEndMs: number): SendResult {
    this.sent.push({ type: 'conversation.item.truncate', item_id: itemId, audio_end_ms: audioEndMs });
    return 'sent';
  }
  sendRaw(event: Readonly<Record<string, unknown>>): SendResult {
    this.sent.push({ ...event });
    return 'sent';
  }
}

/** The subset of a ws WebSocket the call uses. */
export class FakeSocket {
  readonly OPEN = 1;
  readonly CONNECTING = 0;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: (string | Buffer)[] = [];
  closedWith: { code: number; reason: string } | undefined;
  terminated = false;
  send(m: string | Buffer): void {
    this.sent.push(m);
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = 3;
  }
  /** The JSON messages sent, parsed. */
  json(): Record<string, unknown>[] {
    return this.sent.filter((m): m is string => typeof m === 'string').map((m) => JSON.parse(m) as Record<string, unknown>);
  }
}

/** Keeps every trace line; machine steps are recorded from the inspector like the real trace. */
export class MemoryTrace implements CallTrace {
  readonly path = undefined;
  readonly lines: TraceRecord[] = [];
  record(src: TraceRecord['src'], event: string, fields: Omit<TraceRecord, 'seq' | 't' | 'src' | 'event'> = {}): void {
    this.lines.push({ seq: this.lines.length, t: 0, src, event, ...fields });
  }
  inspector(machine: string): (ev: InspectionEvent) => void {
    return (ev) => {
      if (ev.type !== '@xstate.snapshot' || !('event' in ev)) return;
      const snap = ev.snapshot as { value?: unknown };
      this.record('machine', (ev.event as { type: string }).type, { machine, to: flattenState(snap.value) });
    };
  }
  rename(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
  /** Event types a machine processed, in order. */
  eventsOf(machine: string): string[] {
    return this.lines.filter((l) => l.src === 'machine' && l.machine === machine).map((l) => l.event);
  }
  records(src: TraceRecord['src'], event: string): TraceRecord[] {
    return this.lines.filter((l) => l.src === src && l.event === event);
  }
}

export interface Rig {
  readonly call: Call;
  readonly clock: ManualClock;
  readonly engine: FakeEngine;
  readonly ai: FakeAi;
  readonly ws: FakeSocket;
  readonly trace: MemoryTrace;
  readonly metrics: Metrics;
  readonly config: ParleyConfig;
  readonly ended: { value: boolean };
  media(): FakeMediaCall;
}

/** A Call on fakes, with a manual clock and (by default) a fixed random for the backoff jitter. */
export function rig(protocol: TelephonyProtocol = 'twilio', overrides: ConfigInput = {}, random: () => number = () => 0.5, extra: { readonly tools?: ToolRegistry; readonly log?: Logger; readonly records?: CallRecorder } = {}): Rig {
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent', ...overrides } });
  const clock = new ManualClock();
  const engine = new FakeEngine();
  const ai = new FakeAi();
  const ws = new FakeSocket();
  const trace = new MemoryTrace();
  const metrics = new Metrics();
  const ended = { value: false };
  const conn = {
    ws,
    protocol,
    url: new URL(`ws://127.0.0.1/${protocol}`),
    remoteAddress: '127.0.0.1',
    cork: () => () => {},
  } as unknown as CallConnection;
  const call = new Call(
    conn,
    { config, engine, metrics, log: silentLogger(), clock, createAiClient: () => ai, openTrace: () => trace, random, ...extra },
    () => (ended.value = true),
  );
  const media = (): FakeMediaCall => {
    const m = engine.calls[0];
    if (!m) throw new Error('the call has not opened its media');
    return m;
  };
  return { call, clock, engine, ai, ws, trace, metrics, config, ended, media };
}

export const TWILIO_START = JSON.stringify({
  event: 'start',
  sequenceNumber: '1',
  streamSid: 'MZ1',
  start: { streamSid: 'MZ1', callSid: 'CA1', accountSid: 'AC1', tracks: ['inbound'], customParameters: {}, mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 } },
});

export function twilioMedia(bytes: number): string {
  return JSON.stringify({ event: 'media', sequenceNumber: '2', streamSid: 'MZ1', media: { track: 'inbound', chunk: '1', timestamp: '0', payload: Buffer.alloc(bytes, 0xff).toString('base64') } });
}

/** Starts a Twilio call and opens its AI link (session_created of the first connection). */
export function startedCall(r: Rig): void {
  r.call.onMessage(Buffer.from(TWILIO_START), false);
  r.ai.emit({ type: 'session_created', gen: r.ai.generation, sessionId: 'sess_1' });
}

/** Runs pending microtasks and promise callbacks. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
