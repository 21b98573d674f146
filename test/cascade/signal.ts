// Signal measurements for the cascade tests.

/** Frequency from rising zero crossings over the middle 80 % of the signal. */
export function frequency(pcm: Int16Array, rate: number): number {
  const from = Math.floor(pcm.length * 0.1);
  const to = Math.floor(pcm.length * 0.9);
  let crossings = 0;
  for (let i = from + 1; i < to; i++) if (pcm[i - 1]! < 0 && pcm[i]! >= 0) crossings++;
  return (crossings * rate) / (to - from);
}
