// Byte arithmetic of the audio formats Parley moves: PCM16 is 2 bytes a sample, G.711 one.

export interface FormatLike {
  readonly codec: string;
  readonly rate: number;
}

/** Bytes per millisecond of a format. */
export function bytesPerMs(f: FormatLike): number {
  return (f.rate * (f.codec === 'pcm16' ? 2 : 1)) / 1000;
}
