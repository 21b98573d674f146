// Shared helpers of the media engine tests: PCM that encodes (item, sample index), waiting on
// media-thread ticks, collecting a call's output.
import type { MediaCall, MediaEngine, MediaEvent, PlayoutFrame } from '../../src/media/index.js';

/**
 * `samples` mu-law bytes of `item` from sample number `first`, never 0xFF (mu-law silence,
 * which the engine pads with), so every emitted byte can be traced to what was written.
 */
export function taggedMulaw(item: number, samples: number, first = 0): Buffer {
  const b = Buffer.alloc(samples);
  for (let i = 0; i < samples; i++) b[i] = (item * 37 + first + i) % 255;
  return b;
}

/** Everything a call produced, accumulated tick after tick. */
export class Collector {
  readonly frames: PlayoutFrame[] = [];
  readonly events: MediaEvent[] = [];
  readonly #stop: () => void;

  constructor(engine: MediaEngine, readonly call: MediaCall) {
    this.#stop = engine.onTick(() => this.poll());
  }

  poll(): void {
    this.frames.push(...this.call.readPlayout());
    this.events.push(...this.call.events());
  }

  stop(): void {
    this.#stop();
  }

  has(type: MediaEvent['type']): boolean {
    return this.events.some((e) => e.type === type);
  }

  /** The real (unpadded) audio of every frame, concatenated (1 byte per sample: G.711). */
  audio(): Buffer {
    return Buffer.concat(this.frames.map((f) => f.bytes.subarray(0, f.samples)));
  }
}

/** Resolves once `pred` holds, checked after every tick; rejects after `timeoutMs`. */
export function untilTick(engine: MediaEngine, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error(`condition not reached within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = engine.onTick(() => {
      if (!pred()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Waits for `n` wake-ups. */
export function ticks(engine: MediaEngine, n: number): Promise<void> {
  let seen = 0;
  return untilTick(engine, () => ++seen >= n);
}
