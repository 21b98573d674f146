// One call's playout as the JS thread sees it. The media thread owns the ring's read side;
// everything it learns (a flush executed, the ring ran empty) reaches this machine as an
// event, and everything JS asks of it (flush, close) leaves as a named action that the
// effect wrapper turns into a command. The state's tags are the only thing the media thread
// consults (through the generated guards in native/generated/playout_guards.h):
//   media.accept  — JS may write chunks into the ring
//   media.playout — the media thread may take frames out of the ring and emit them
//   media.tail    — the response's audio is all in the ring: a short last frame may be padded
//                   with silence (while more audio is expected, a short frame waits: PL6)
//   media.closing — teardown: no writes, no emits
//
// A response starts playing once the ring holds the lookahead AND, beyond the chunk just written,
// the far side's cushion. A provider streaming at about real time delivers each chunk just as the
// far side finishes the one before, so what the far side holds when a chunk arrives is what it
// held at the start less that chunk: starting on a chunk that alone fills the lookahead (a 200 ms
// TTS chunk, a 100 ms delta) leaves nothing queued at the next arrival, and any jitter, or the
// first-chunk latency of the next sentence, is a dropout. Waiting for the cushion beyond it costs
// at most one chunk of start-up delay (at 1×; a fast provider's next chunk comes sooner).
//
// A ring that runs dry while the response is still live is a late chunk, not the end: the
// machine keeps playing (no re-prefill, no padding) and the media thread resumes as soon as
// audio arrives. Only after END_OF_RESPONSE (the runtime sends it once the response's last
// chunk is in the ring) does a dry ring mean the agent has finished (drained).
import { assign, setup } from 'xstate';

export interface PlayoutContext {
  /** Lead over real time the first frame waits for (docs/ARCHITECTURE.md#audio-paths), fixed per call. */
  readonly lookaheadMs: number;
  /** Audio the ring must hold beyond the chunk just written before a response starts, fixed per call. */
  readonly cushionMs: number;
  /** JS queued new-epoch audio while a flush was in flight (it sits past the flush index). */
  readonly queuedDuringFlush: boolean;
}

export interface PlayoutInput {
  readonly lookaheadMs?: number;
  readonly cushionMs?: number;
}

export type PlayoutEvent =
  /**
   * The core accepted a chunk; `bufferedMs` is what the ring holds after it, as JS counts it, and
   * `chunkMs` the chunk's own length (default 0).
   */
  | { type: 'WRITE'; bufferedMs: number; chunkMs?: number }
  /**
   * The current response's audio is all in the ring (response done and the JS backlog empty):
   * play what is buffered even below the lookahead, and pad its last short frame.
   */
  | { type: 'END_OF_RESPONSE' }
  /** Barge-in: the epoch was bumped; ask the media thread to flush to the current write index. */
  | { type: 'FLUSH' }
  | { type: 'CLOSE' }
  /** Media thread: the pending flush was executed on its side of the ring. */
  | { type: 'MEDIA_FLUSHED' }
  /**
   * Media thread: the ring ran empty at some tick. `caughtUp` is computed by the wrapper when
   * it delivers the event: the read index reported equals JS's write index now, i.e. nothing
   * was written after the tick the report is about.
   */
  | { type: 'MEDIA_DRAINED'; caughtUp: boolean };

export const DEFAULT_LOOKAHEAD_MS = 80;

export const playoutMachine = setup({
  types: {
    context: {} as PlayoutContext,
    events: {} as PlayoutEvent,
    input: {} as PlayoutInput,
  },
  guards: {
    /** The write brought the ring up to the lookahead, with the cushion beyond the chunk just written: start emitting. */
    lookaheadReached: ({ context, event }) =>
      event.type === 'WRITE' && event.bufferedMs >= context.lookaheadMs && event.bufferedMs - (event.chunkMs ?? 0) >= context.cushionMs,
    /** The drain report is current: no chunk was written after the tick it describes. */
    caughtUp: ({ event }) => event.type === 'MEDIA_DRAINED' && event.caughtUp,
    queuedDuringFlush: ({ context }) => context.queuedDuringFlush,
  },
  actions: {
    /** Effect: post flush-to-index (the current write index) to the media thread. */
    requestFlush: () => undefined,
    /** Effect: unregister the call from the media thread. */
    releaseCall: () => undefined,
    noteQueuedDuringFlush: assign({ queuedDuringFlush: true }),
    clearQueuedDuringFlush: assign({ queuedDuringFlush: false }),
  },
}).createMachine({
  id: 'playout',
  initial: 'idle',
  context: ({ input }) => ({
    lookaheadMs: input?.lookaheadMs ?? DEFAULT_LOOKAHEAD_MS,
    cushionMs: input?.cushionMs ?? 0,
    queuedDuringFlush: false,
  }),
  on: {
    CLOSE: { target: '.closed' },
  },
  states: {
    idle: {
      tags: ['media.accept'],
      on: {
        WRITE: [{ guard: 'lookaheadReached', target: 'playing' }, { target: 'prefill' }],
      },
    },
    prefill: {
      tags: ['media.accept'],
      on: {
        WRITE: { guard: 'lookaheadReached', target: 'playing' },
        END_OF_RESPONSE: { target: 'finishing' },
        FLUSH: { target: 'flushing', actions: 'requestFlush' },
      },
    },
    playing: {
      tags: ['media.accept', 'media.playout'],
      on: {
        // No MEDIA_DRAINED here: a dry ring mid-response is a late chunk; keep playing.
        END_OF_RESPONSE: { target: 'finishing' },
        FLUSH: { target: 'flushing', actions: 'requestFlush' },
      },
    },
    finishing: {
      tags: ['media.accept', 'media.playout', 'media.tail'],
      on: {
        MEDIA_DRAINED: { guard: 'caughtUp', target: 'drained' },
        // The next response's audio arrived before the ring ran dry: it is live again.
        WRITE: { target: 'playing' },
        FLUSH: { target: 'flushing', actions: 'requestFlush' },
      },
    },
    flushing: {
      tags: ['media.accept'],
      entry: 'clearQueuedDuringFlush',
      on: {
        // Chunks written now carry the new epoch and land past the flush index: they survive.
        WRITE: { actions: 'noteQueuedDuringFlush' },
        // A second barge-in moves the flush index forward; the media thread runs the latest.
        FLUSH: { actions: 'requestFlush' },
        MEDIA_FLUSHED: [{ guard: 'queuedDuringFlush', target: 'prefill' }, { target: 'idle' }],
      },
    },
    drained: {
      tags: ['media.accept'],
      on: {
        WRITE: [{ guard: 'lookaheadReached', target: 'playing' }, { target: 'prefill' }],
        // The ring is dry but the far side may still be playing what left it (marks
        // outstanding): a barge-in now flushes too — the epoch moves on and the media thread
        // flushes the empty ring. Chaos traces under load caught the runtime doing this while
        // the machine ignored FLUSH here (PL2 rejected them): the machine now says it.
        FLUSH: { target: 'flushing', actions: 'requestFlush' },
      },
    },
    closed: {
      type: 'final',
      tags: ['media.closing'],
      entry: 'releaseCall',
    },
  },
});

export type PlayoutMachine = typeof playoutMachine;
