// LLM text deltas → sentences for TTS, with the original engine's rules made explicit
// (docs/reference/original-engine.md#sentence-rules). Pure and synchronous: one buffer per
// response, so text of two responses can never mix and a cancelled response's buffer is simply
// discarded.
//
// The rules, as the original applied them:
// - nothing before index `minChars` is ever a boundary (so "Yes." waits for more text or flush);
// - `\n` ends a sentence (at index ≥ minChars);
// - `.` `?` `!` end one only when followed by whitespace, a quote or `)` and then (within three
//   characters, skipping whitespace) an uppercase letter — or, for `?`/`!`, by anything or
//   nothing; a `.` after a known abbreviation or a single letter never ends one, nor does one
//   inside an ellipsis ("..." never splits: the original's uppercase rule for it was unreachable);
// - `;` and `:` followed by a space end one (index ≥ minChars); `,` only when enabled (off) and
//   at index ≥ max(minChars, 40);
// - a buffer reaching `maxChars` is cut at its last boundary, else at its last space before
//   `maxChars`, else hard at `maxChars`;
// - flush (response done) emits whatever is left, trimmed.

export interface SentenceRules {
  readonly minChars: number;
  readonly maxChars: number;
  readonly splitOnComma: boolean;
  readonly splitOnSemicolon: boolean;
  readonly splitOnColon: boolean;
  readonly splitOnNewline: boolean;
}

/** The original's defaults (not overridable there; here they are, for tests and tuning). */
export const SENTENCE_RULES: SentenceRules = {
  minChars: 10,
  maxChars: 250,
  splitOnComma: false,
  splitOnSemicolon: true,
  splitOnColon: true,
  splitOnNewline: true,
};

/** Compared case-insensitively with the run of letters before a dot. */
export const ABBREVIATIONS: ReadonlySet<string> = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'ave', 'blvd', 'rd', 'apt', 'dept', 'vs', 'etc', 'inc', 'ltd',
  'co', 'corp', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec', 'no', 'nos', 'vol',
  'vols', 'approx', 'est', 'govt', 'assn',
  // Written with their inner dot in the original's list; the letter run before the final dot is
  // then a single letter ("m", "g", "e"), which is an abbreviation anyway.
  'a.m', 'p.m', 'e.g', 'i.e',
]);

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isLetter = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c);
const isUpper = (c: string | undefined): boolean => c !== undefined && c >= 'A' && c <= 'Z';
const CLOSERS = new Set(['"', "'", ')']);

export class SentenceBuffer {
  private buf = '';

  constructor(private readonly rules: SentenceRules = SENTENCE_RULES) {
    if (!(rules.minChars >= 1 && rules.maxChars > rules.minChars)) {
      throw new RangeError(`sentence rules: need 1 <= minChars < maxChars (got ${rules.minChars}, ${rules.maxChars})`);
    }
  }

  /** Characters held, not yet emitted. */
  get pending(): number {
    return this.buf.length;
  }

  /** Appends a delta; returns the sentences it completed, in order (trimmed, never empty). */
  add(delta: string): string[] {
    const out: string[] = [];
    if (delta.length === 0) return out;
    this.buf += delta;
    for (;;) {
      const cut = this.buf.length >= this.rules.maxChars ? this.forcedCut() : this.firstBoundary();
      if (cut === undefined) break;
      this.emit(cut, out);
    }
    return out;
  }

  /** End of the response: whatever is left, trimmed (undefined when only whitespace). */
  flush(): string | undefined {
    const s = this.buf.trim();
    this.buf = '';
    return s.length > 0 ? s : undefined;
  }

  /** Drops everything held (a cancelled response). */
  reset(): void {
    this.buf = '';
  }

  private emit(end: number, out: string[]): void {
    const s = this.buf.slice(0, end).trim();
    this.buf = this.buf.slice(end);
    if (s.length > 0) out.push(s);
  }

  /** End index (exclusive) of the first sentence, scanning from minChars. */
  private firstBoundary(): number | undefined {
    for (let i = this.rules.minChars; i < this.buf.length; i++) if (this.isBoundary(i)) return i + 1;
    return undefined;
  }

  /** A full buffer: its last boundary, else its last space before maxChars, else maxChars. */
  private forcedCut(): number {
    const { minChars, maxChars } = this.rules;
    for (let i = this.buf.length; i > minChars; i--) if (this.isBoundary(i - 1)) return i;
    const space = this.buf.lastIndexOf(' ', maxChars);
    return space < minChars ? maxChars : space;
  }

  private isBoundary(pos: number): boolean {
    const b = this.buf;
    const c = b[pos];
    const { minChars } = this.rules;
    switch (c) {
      case '\n':
        return this.rules.splitOnNewline && pos >= minChars;
      case ';':
        return this.rules.splitOnSemicolon && pos >= minChars && b[pos + 1] === ' ';
      case ':':
        return this.rules.splitOnColon && pos >= minChars && b[pos + 1] === ' ';
      case ',':
        return this.rules.splitOnComma && pos >= Math.max(minChars, 40) && b[pos + 1] === ' ';
      case '.':
      case '?':
      case '!':
        return this.isTerminal(pos, c);
      default:
        return false;
    }
  }

  private isTerminal(pos: number, c: '.' | '?' | '!'): boolean {
    const b = this.buf;
    const next = b[pos + 1];
    if (next === undefined) return false; // a mark at the very end is not a boundary yet
    if (!isSpace(next) && !CLOSERS.has(next)) return false;
    if (c === '.' && this.isAbbreviation(pos)) return false;
    for (let j = pos + 1; j <= pos + 3 && j < b.length; j++) {
      const d = b[j];
      if (isSpace(d)) continue;
      return isUpper(d) || c !== '.';
    }
    return c !== '.';
  }

  /** The dot at `pos` ends an abbreviation, a single letter, or sits in a run of dots. */
  private isAbbreviation(pos: number): boolean {
    const b = this.buf;
    let start = pos;
    while (start > 0 && isLetter(b[start - 1])) start--;
    if (start === pos) return pos >= 1 && b[pos - 1] === '.';
    const word = b.slice(start, pos).toLowerCase();
    if (word.length === 1) return true;
    return ABBREVIATIONS.has(word);
  }
}
