// Trace mode of the native media core: per tick, the records specs/Playout.tla's actions talk
// about (specs/trace/TracePlayoutCore.tla checks them). Off by default; a call turns it on
// with MediaCall.setTrace(true) and takes what was recorded with takeTrace().

/** The media thread's view at the start of a tick that does something (else a stutter). */
export interface CoreTickRecord {
  readonly k: 'tick';
  readonly tick: number;
  /** The ring's epoch word. */
  readonly epoch: number;
  /** The state word (a playout machine state), read once per tick. */
  readonly state: string;
  /** Read index and published write index of the playout ring, in bytes. */
  readonly r: number;
  readonly w: number;
  /** A flush was requested and not yet executed. */
  readonly pending: boolean;
}

/** A pending flush executed (MFlush). */
export interface CoreFlushRecord {
  readonly k: 'flush';
  readonly tick: number;
  readonly epoch: number;
  /** The flush-to index the request named, and the read index afterwards. */
  readonly requested: number;
  readonly r: number;
}

/** A frame emitted (MEmit); its segments follow. */
export interface CoreFrameRecord {
  readonly k: 'frame';
  readonly tick: number;
  /** The epoch word at emission. */
  readonly epoch: number;
  /** AI-rate samples of audio, of silence padding, and the read index after. */
  readonly samples: number;
  readonly pad: number;
  readonly r: number;
  readonly segments: number;
}

/** One (epoch, item) run of the frame before it, and the item's delivered count afterwards. */
export interface CoreSegmentRecord {
  readonly k: 'segment';
  readonly tick: number;
  readonly epoch: number;
  readonly item: number;
  readonly samples: number;
  readonly delivered: number;
}

/** The end of a tick whose reads emitted nothing yet (MRead/MCommit steps). */
export interface CoreReadRecord {
  readonly k: 'read';
  readonly tick: number;
  readonly epoch: number;
  /** The read index, and the bytes staged for the next frame. */
  readonly r: number;
  readonly staged: number;
}

export type CoreTraceRecord = CoreTickRecord | CoreFlushRecord | CoreFrameRecord | CoreSegmentRecord | CoreReadRecord;
export type CoreTraceKind = CoreTraceRecord['k'];
export const CORE_TRACE_KINDS: readonly CoreTraceKind[] = ['tick', 'flush', 'frame', 'segment', 'read'];

/** Decodes one drain record (the engine::Event layout) of a trace kind. */
export function decodeCoreTrace(
  kind: CoreTraceKind,
  f: { flags: number; epoch: number; a: number; b: number; c: number; tick: number },
  stateName: (index: number) => string,
): CoreTraceRecord {
  const { flags, epoch, a, b, c, tick } = f;
  switch (kind) {
    case 'tick':
      return { k: 'tick', tick, epoch, state: stateName(a), r: b, w: c, pending: flags === 1 };
    case 'flush':
      return { k: 'flush', tick, epoch, requested: b, r: c };
    case 'frame':
      return { k: 'frame', tick, epoch, samples: a, pad: c, r: b, segments: flags };
    case 'segment':
      return { k: 'segment', tick, epoch, item: a, samples: b, delivered: c };
    case 'read':
      return { k: 'read', tick, epoch, r: b, staged: c };
  }
}
