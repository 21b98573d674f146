// Child process of the capacity bench (`--callers-process N`): runs its share of the simulated
// callers once the bench signals go (SIGUSR2, so every share starts together), then prints its
// load result with the raw lateness samples as one JSON line, for the bench to merge.
import { runLoad } from '../src/tools/sim/caller/index.js';
import { runAudioSocketLoad } from '../src/tools/sim/caller/audiosocket-load.js';
import { script, LEAD_MS, type ScriptSpec } from './_capacity-script.js';

export interface CallerShare {
  readonly url: string;
  readonly calls: number;
  readonly rampMs: number;
  /** Where this share's ramp starts, so the shares' call starts interleave. */
  readonly offsetMs: number;
  readonly maxCallMs: number;
  readonly callId: string;
  /** ws: SimCall over the WebSocket url; audiosocket: AudioSocketCaller legs over tcp://host:port. */
  readonly kind: 'ws' | 'audiosocket';
  /** The whole run's script (not this share's ramp): every caller says the same. */
  readonly script: ScriptSpec;
}

const share = JSON.parse(process.env.CAPACITY_CALLERS ?? 'null') as CallerShare | null;
if (!share) throw new Error('CAPACITY_CALLERS (JSON of the share) is not set');
// A signal listener alone does not keep the event loop alive: this interval does, until SIGTERM.
const keep = setInterval(() => {}, 1 << 30);
const go = new Promise<void>((resolve) => process.once('SIGUSR2', () => resolve()));
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
await go;
const result =
  share.kind === 'audiosocket'
    ? await runAudioSocketLoad({ url: share.url, calls: share.calls, rampMs: share.rampMs, maxCallMs: share.maxCallMs, callId: share.callId, offsetMs: share.offsetMs, keepSamples: true })
    : await runLoad(
        { url: share.url, calls: share.calls, rampMs: share.rampMs, script: script(share.script), maxCallMs: share.maxCallMs, leadMs: LEAD_MS, callId: share.callId },
        { keepSamples: true, offsetMs: share.offsetMs },
      );
process.stdout.write(`${JSON.stringify({ callers: result })}\n`);
// Stay until the bench has read this process's CPU from /proc (it ends us with SIGTERM).
process.once('SIGTERM', () => {
  clearInterval(keep);
  process.exit(0);
});
