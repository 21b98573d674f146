// A restartable one-shot timer: "no audio for this long" detection for TTS streams.
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly onExpire: () => void) {}

  /** (Re)arms the timer for `ms`. */
  arm(ms: number): void {
    this.stop();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onExpire();
    }, ms);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Timeouts of one TTS request (ms). */
export interface TtsTimeouts {
  /** Socket open / HTTP response headers. */
  readonly connectMs: number;
  /** Text sent → first audio chunk. */
  readonly firstChunkMs: number;
  /** Between two audio chunks of one sentence. */
  readonly idleMs: number;
}

export const DEFAULT_TTS_TIMEOUTS: TtsTimeouts = { connectMs: 5000, firstChunkMs: 5000, idleMs: 5000 };
