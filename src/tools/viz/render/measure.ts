// Text widths without a browser: Helvetica's advance widths (AFM, 1/1000 em), which Arial and
// Liberation Sans share. The layout has to be computed in Node (the generator writes the SVGs)
// and must be byte-identical on every machine, so widths come from this table, never from
// installed fonts.
export const FONT_FAMILY = 'Helvetica, Arial, Liberation Sans, sans-serif';

// Printable ASCII 0x20..0x7e, in order.
const ASCII = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space ... /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 ... ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ ... O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P ... _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` ... o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p ... ~
];
/** Bold is wider; one factor is close enough for labels. */
const BOLD = 1.08;
/** Anything outside ASCII (arrows, bullets, CJK) counts as a wide glyph. */
const OTHER = 1000;

export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    units += c >= 0x20 && c <= 0x7e ? (ASCII[c - 0x20] ?? OTHER) : OTHER;
  }
  return (units / 1000) * fontSize * (bold ? BOLD : 1);
}
