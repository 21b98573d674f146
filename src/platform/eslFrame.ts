// The FreeSWITCH event socket's framing (docs/reference/freeswitch-esl.md): a message is a block
// of `Name: value` header lines ended by an empty line, followed by exactly Content-Length bytes
// of body when that header is present. Used by the ESL client and by the fake ESL server.

export interface EslMessage {
  readonly headers: ReadonlyMap<string, string>;
  readonly body: string;
}

/** Largest body accepted (a DTMF event is well under 4 KiB; a runaway peer is cut off). */
export const MAX_ESL_BODY = 1024 * 1024;

/** Incremental parser: feed it bytes, take whole messages. */
export class EslParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): EslMessage[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: EslMessage[] = [];
    for (;;) {
      const end = this.buf.indexOf('\n\n');
      if (end < 0) {
        if (this.buf.length > 64 * 1024) throw new Error('ESL header block too large');
        return out;
      }
      const headers = parseHeaders(this.buf.subarray(0, end).toString('utf8'));
      const len = Number(headers.get('Content-Length') ?? '0');
      if (!Number.isInteger(len) || len < 0 || len > MAX_ESL_BODY) throw new Error('bad ESL Content-Length');
      if (this.buf.length < end + 2 + len) return out;
      const body = this.buf.subarray(end + 2, end + 2 + len).toString('utf8');
      this.buf = this.buf.subarray(end + 2 + len);
      out.push({ headers, body });
    }
  }
}

/** `Name: value` lines; values of event bodies are URL-encoded (decoded with decode=true). */
export function parseHeaders(text: string, decode = false): Map<string, string> {
  const h = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const raw = line.slice(i + 1).trim();
    let v = raw;
    if (decode) {
      try {
        v = decodeURIComponent(raw);
      } catch {
        v = raw;
      }
    }
    h.set(line.slice(0, i).trim(), v);
  }
  return h;
}

/** One message as written on the socket: headers, a blank line, the body. */
export function formatEsl(headers: Readonly<Record<string, string>>, body = ''): string {
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  if (body.length > 0) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\n')}\n\n${body}`;
}
