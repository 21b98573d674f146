// Where the fallback restarts a sentence the primary failed in the middle of (issue 20, part 1).
// OpenAI TTS cannot start mid-text, so the fallback says a suffix of the sentence: from the
// start of the clause the primary was speaking when it failed (the last clause boundary — ", ",
// "; ", ": ", " - " — at or before the last character the primary's alignment covered). No word
// is skipped, and what is heard twice is bounded by the primary's audio of that one clause (the
// whole sentence's primary audio when it has no clause boundary before the failure, or when the
// primary sent no alignment).
import { visibleChars } from './tts/elevenlabs/messages.js';

export interface RestartPoint {
  /** Index in the sentence's text where the fallback starts. */
  readonly offset: number;
  /** Visible characters before `offset` (the primary's part the fallback does not repeat). */
  readonly skippedChars: number;
}

const CLAUSE_END = /[,;:\u2014\u2013]\s+|\s-\s+/g;

/** The restart point for a sentence whose primary audio covered `spokenChars` visible characters (undefined: unknown). */
export function restartPoint(text: string, spokenChars: number | undefined): RestartPoint {
  if (spokenChars === undefined || spokenChars <= 0) return { offset: 0, skippedChars: 0 };
  let best: RestartPoint = { offset: 0, skippedChars: 0 };
  for (const m of text.matchAll(CLAUSE_END)) {
    const offset = m.index + m[0].length;
    const before = visibleChars(text.slice(0, offset));
    if (before > spokenChars || offset >= text.trimEnd().length) break;
    best = { offset, skippedChars: before };
  }
  return best;
}
