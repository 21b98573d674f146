// Periodic malloc_trim: the JS thread's short-lived native allocations (socket reads, frames)
// leave glibc's main arena fragmented, and free pages between live chunks stay resident. The
// trim runs on the libuv thread pool, one at a time: the next is scheduled when one finishes.
// It holds the arena lock while it walks the free chunks, so a JS-thread malloc meanwhile waits:
// 5 ms with ~9,000 free chunks, 75 ms when it released 270 MB at once. Off by default.
import type { Clock, TimerHandle } from '../base/clock.js';
import { loadNativeAddon } from './binding.js';

export interface MallocTrimmer {
  /** Trims run, and those that released memory. */
  readonly stats: { readonly runs: number; readonly released: number };
  stop(): void;
}

export function startMallocTrim(trim: () => Promise<boolean>, everyMs: number, clock: Clock): MallocTrimmer {
  const stats = { runs: 0, released: 0 };
  let timer: TimerHandle | undefined;
  let stopped = everyMs <= 0;
  const schedule = () => {
    if (!stopped) timer = clock.setTimer(everyMs, run);
  };
  const run = () => {
    stats.runs++;
    trim()
      .then((released) => {
        if (released) stats.released++;
      })
      .catch(() => {}) // a failed trim leaves memory where it was; the next one tries again
      .finally(schedule);
  };
  schedule();
  return {
    stats,
    stop: () => {
      stopped = true;
      timer?.cancel();
    },
  };
}

/** The addon's malloc_trim, or undefined when the addon is not there (the JS engine's fallback). */
export function addonMallocTrim(): (() => Promise<boolean>) | undefined {
  try {
    const addon = loadNativeAddon();
    return typeof addon.mallocTrim === 'function' ? addon.mallocTrim : undefined;
  } catch {
    return undefined;
  }
}
