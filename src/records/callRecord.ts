// One call's record: the observer the call notifies (types.ts CallObserver). It keeps the
// transcript, the figures call.ended reports and the recording, and hands each event to the
// process's sink in the call's order. Every method is cheap and catches its own failures: a
// record must never disturb the call it records.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { AiEvent } from '../ai/types.js';
import type { AudioFormat } from '../media/types.js';
import type { RecordsMetrics } from './metrics.js';
import { CallRecording } from './recorder.js';
import { Transcript } from './transcript.js';
import type { CallEvent, CallObserver, CallStartInfo } from './types.js';

/** Distributes Omit over the event union (a plain Omit would merge the variants). */
type Body<E> = E extends CallEvent ? Omit<E, 'eventId' | 'callId' | 'seq' | 'at'> : never;
export type CallEventBody = Body<CallEvent>;

export interface CallRecordOptions {
  /** Where each event goes (the webhook queue, a file, a test). */
  readonly emit: (ev: CallEvent) => void;
  readonly metrics: RecordsMetrics;
  /** Directory for this call's WAV, when the call is recorded. */
  readonly recordingDir?: string;
  readonly logToolArguments: boolean;
  /** Recordings still being written, so shutdown can wait for them. */
  readonly pending: Set<Promise<void>>;
  readonly onError: (what: string, err: unknown) => void;
}

export class CallRecord implements CallObserver {
  private readonly recordId = randomUUID();
  private seq = 0;
  private info: CallStartInfo | undefined;
  private startedAt = 0;
  private readonly transcript: Transcript;
  private recording: CallRecording | undefined;
  private bargeIns = 0;
  private reconnects = 0;
  private readonly firstAudioMs: number[] = [];
  private readonly drops: Record<string, number> = {};
  private done = false;
  private framesIn = 0;
  private framesOut = 0;

  constructor(
    private readonly connId: string,
    private readonly opts: CallRecordOptions,
  ) {
    this.transcript = new Transcript((turn) => this.event({ type: 'call.transcript', turn }));
  }

  started(info: CallStartInfo, now: number): void {
    this.info = info;
    this.startedAt = now;
    const dir = this.opts.recordingDir;
    if (dir) {
      // The file is named after the call; the call id comes from the platform, so only a safe subset is kept.
      const name = `${info.callId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120) || this.connId}.wav`;
      this.recording = new CallRecording(join(dir, name), info.format, (why, err) => {
        this.opts.metrics.recordingErrors.inc({ reason: why });
        if (err !== undefined) this.opts.onError('recording', err);
      });
    }
    this.event({ type: 'call.started', protocol: info.protocol, streamId: info.streamId, format: info.format, profile: info.profile });
  }

  callerAudio(payload: Buffer, now: number): void {
    this.framesIn++;
    this.recording?.caller(payload, now);
  }

  agentFrame(bytes: Buffer, itemId: string | undefined, now: number, aheadMs: number): void {
    this.framesOut++;
    this.recording?.agent(bytes, now, aheadMs);
    if (itemId !== undefined) this.transcript.onFrame(itemId, this.ms(now));
  }

  cleared(now: number): void {
    this.recording?.clear(now);
  }

  playoutDrained(_now: number): void {
    this.transcript.onDrained();
  }

  aiEvent(ev: AiEvent, fmt: AudioFormat | undefined, now: number): void {
    this.transcript.onAiEvent(ev, fmt, this.ms(now));
  }

  bargeIn(cut: { readonly itemId: string; readonly ms: number } | null, now: number): void {
    this.bargeIns++;
    this.transcript.onBargeIn(cut, this.ms(now));
  }

  reconnected(): void {
    this.reconnects++;
  }

  firstAudio(ms: number): void {
    if (this.firstAudioMs.length < 200) this.firstAudioMs.push(Math.round(ms));
  }

  drop(reason: string, units: number): void {
    this.drops[reason] = (this.drops[reason] ?? 0) + units;
  }

  toolCall(name: string, args: string, outcome: string, latencyMs: number): void {
    this.event({ type: 'call.tool', name, latencyMs: Math.round(latencyMs), outcome, ...(this.opts.logToolArguments ? { arguments: args.slice(0, 4096) } : {}) });
  }

  transferred(target: string): void {
    this.event({ type: 'call.transferred', target });
  }

  ended(reason: string, now: number): void {
    if (this.done) return;
    this.done = true;
    if (!this.info) return; // never started: nothing to report
    this.transcript.end(this.ms(now));
    const rec = this.recording;
    if (rec) {
      const closing = rec.close(now).catch((err: unknown) => this.opts.onError('recording', err));
      this.opts.pending.add(closing);
      void closing.finally(() => this.opts.pending.delete(closing));
      this.opts.metrics.recordings.inc({ outcome: rec.failed ? 'stopped' : 'complete' });
    }
    this.event({
      type: 'call.ended',
      reason,
      profile: this.info.profile,
      durationMs: Math.round(now - this.startedAt),
      transcript: [...this.transcript.final],
      bargeIns: this.bargeIns,
      reconnects: this.reconnects,
      firstAudioMs: [...this.firstAudioMs],
      drops: { ...this.drops },
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      ...(rec ? { recording: rec.path } : {}),
      ...(rec?.failed ? { recordingError: rec.failed } : {}),
    });
  }

  private ms(now: number): number {
    return Math.max(0, Math.round(now - this.startedAt));
  }

  private event(body: CallEventBody): void {
    if (!this.info) return;
    const seq = ++this.seq;
    const ev = { eventId: `${this.recordId}.${seq}`, callId: this.info.callId, seq, at: new Date().toISOString(), ...body } as CallEvent;
    try {
      this.opts.emit(ev);
    } catch (err) {
      this.opts.onError('event', err);
    }
  }
}
