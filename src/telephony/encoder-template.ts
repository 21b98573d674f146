// Outbound JSON messages from a per-call template: the JSON platforms' media and mark messages
// differ per message only in one string (the base64 payload, the mark name), so the rest is
// serialised once and each message is prefix + quoted value + suffix. The bytes equal
// JSON.stringify of the same object (the template is cut from it), which `stringify` framing
// still uses per message — the capacity bench's baseline.

/** How the JSON platforms build their outbound messages (`stringify` only on config jsPath 'baseline'). */
export type OutboundFraming = 'template' | 'stringify';

/** Options a platform's encoder is made with. */
export interface EncoderOptions {
  readonly framing?: OutboundFraming;
}

const HOLE = '\u0000';
const QUOTED_HOLE = JSON.stringify(HOLE);

/** `fill(s)` is `JSON.stringify(build(s))`, with `build(HOLE)` serialised once. */
export interface JsonTemplate {
  fill(value: string): string;
  /** For values known to need no JSON escaping (base64). */
  fillPlain(value: string): string;
}

export function jsonTemplate(build: (hole: string) => unknown): JsonTemplate {
  const t = templateOf(build);
  if (!t) throw new Error('a JSON template needs exactly one hole');
  return t;
}

/** The template, or undefined when `build(HOLE)` serialises to other than exactly one hole. */
function templateOf(build: (hole: string) => unknown): JsonTemplate | undefined {
  const whole = JSON.stringify(build(HOLE));
  const at = whole.indexOf(QUOTED_HOLE);
  if (at < 0 || whole.indexOf(QUOTED_HOLE, at + 1) >= 0) return undefined;
  const prefix = whole.slice(0, at);
  const suffix = whole.slice(at + QUOTED_HOLE.length);
  const prefixQ = `${prefix}"`;
  const suffixQ = `"${suffix}`;
  return {
    fill: (value) => prefix + JSON.stringify(value) + suffix,
    fillPlain: (value) => prefixQ + value + suffixQ,
  };
}

/**
 * The framing a JSON encoder uses for one message kind: the template, or JSON.stringify of the
 * same object per message. `plain` says the value needs no escaping (base64).
 */
export function jsonMessage(framing: OutboundFraming | undefined, build: (value: string) => unknown, plain = false): (value: string) => string {
  const each = (value: string): string => JSON.stringify(build(value));
  if (framing === 'stringify') return each;
  // A platform-chosen id equal to the hole makes a second hole: that call keeps stringify.
  const t = templateOf(build);
  if (!t) return each;
  return plain ? t.fillPlain : t.fill;
}

/**
 * Finished WebSocket text frames (RFC 6455 §5.2: server to client, so unmasked; FIN set, no
 * extension bits) for `messages`, one after another in one Buffer: a frame and its mark leave in
 * one socket write instead of ws's two writes per message.
 */
export function textFrames(messages: readonly string[]): Buffer {
  let total = 0;
  const lens = messages.map((m) => {
    const l = Buffer.byteLength(m);
    total += l + (l < 126 ? 2 : l < 65536 ? 4 : 10);
    return l;
  });
  const buf = Buffer.allocUnsafe(total);
  let off = 0;
  for (let i = 0; i < messages.length; i++) {
    const l = lens[i]!;
    buf[off] = 0x81; // FIN, opcode 1 (text)
    if (l < 126) {
      buf[off + 1] = l;
      off += 2;
    } else if (l < 65536) {
      buf[off + 1] = 126;
      buf.writeUInt16BE(l, off + 2);
      off += 4;
    } else {
      buf[off + 1] = 127;
      buf.writeBigUInt64BE(BigInt(l), off + 2);
      off += 10;
    }
    off += buf.write(messages[i]!, off, 'utf8');
  }
  return buf;
}
