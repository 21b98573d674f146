// What the caller heard of a cascade response, for truncation: the response's sentences with the
// milliseconds of audio each produced, cut at the heard position. A sentence cut midway keeps the
// share of its words that matches the share of its audio heard.

export interface SpokenSentence {
  readonly text: string;
  ms: number;
}

export function heardText(sentences: readonly SpokenSentence[], heardMs: number): string {
  const out: string[] = [];
  let at = 0;
  for (const s of sentences) {
    if (s.ms === 0) continue; // never spoken (lost, or still queued): never heard
    if (heardMs >= at + s.ms) {
      out.push(s.text);
      at += s.ms;
      continue;
    }
    const share = s.ms > 0 ? Math.max(0, heardMs - at) / s.ms : 0;
    const words = s.text.split(/\s+/).filter(Boolean);
    const keep = Math.floor(words.length * share);
    if (keep > 0) out.push(words.slice(0, keep).join(' '));
    break;
  }
  return out.join(' ');
}
