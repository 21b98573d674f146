// Decoding of the drain buffer's records (the engine::Event layout, 40 bytes each): the events
// the machines take, and the raw fields the trace-mode records are built from.
import type { MediaEvent, MediaEventType } from './types.js';

/** The fields of the record at `off` (engine::Event: u32 call, u16 kind, u16 flags, u32 epoch, u32 a, u64 b, u64 c, u64 tick). */
export function recordFields(view: DataView, off: number, tick: number): { flags: number; epoch: number; a: number; b: number; c: number; tick: number } {
  return {
    flags: view.getUint16(off + 6, true),
    epoch: view.getUint32(off + 8, true),
    a: view.getUint32(off + 12, true),
    b: Number(view.getBigUint64(off + 16, true)),
    c: Number(view.getBigUint64(off + 24, true)),
    tick,
  };
}

/** Decodes one drain buffer's event record into a MediaEvent (null for unknown kinds). */
export type EventDecoder = (kind: number, epoch: number, a: number, b: number, c: number, tick: number) => MediaEvent | null;

export function eventDecoder(kinds: Readonly<Record<MediaEventType, number>>): EventDecoder {
  const byKind = new Map<number, MediaEventType>();
  for (const [name, kind] of Object.entries(kinds) as [MediaEventType, number][]) byKind.set(kind, name);
  return (kind, epoch, a, b, c, tick) => {
    switch (byKind.get(kind)) {
      case 'flushed':
        return { type: 'flushed', tick, epoch, droppedSamples: b, readIndex: c };
      case 'drained':
        return { type: 'drained', tick, epoch, readIndex: c };
      case 'prefilled':
        return { type: 'prefilled', tick, epoch, bufferedMs: a };
      case 'underrun':
        return { type: 'underrun', tick, missedFrames: a };
      case 'speech-start':
        return { type: 'speech-start', tick };
      case 'speech-stop':
        return { type: 'speech-stop', tick };
      default:
        return null;
    }
  };
}

