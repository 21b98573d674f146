// chan_websocket's control messages (docs/reference/asterisk-chan-websocket.md#control-messages-text-frames):
// TEXT frames, either plain text ("EVENT key:value key:value", or "EVENT <id>") or JSON
// ({"event": "...", ...}) as chan_websocket.conf's control_message_format says. Both parse to one
// shape here, so the decoder does not care which the server was configured for.
import { isRecord, parseJson } from '../../base/wire.js';

export type ControlFormat = 'plain-text' | 'json';

export interface ControlMessage {
  readonly event: string;
  readonly format: ControlFormat;
  /** key:value fields (plain) or the JSON object's scalar fields, as strings. */
  readonly fields: Readonly<Record<string, string>>;
  /** The bare argument of "EVENT <id>" (MEDIA_MARK_PROCESSED, MEDIA_BUFFERING_COMPLETED). */
  readonly arg: string | undefined;
  /** JSON only: the channel variables object of MEDIA_START. */
  readonly json?: Readonly<Record<string, unknown>>;
}

/** Events whose plain form is "EVENT key:value ..." rather than "EVENT <id>". */
const KEYED = new Set(['MEDIA_START', 'DTMF_END', 'STATUS', 'ERROR']);

export function parseControl(text: string): ControlMessage | undefined {
  const t = text.trim();
  if (t.startsWith('{')) {
    const parsed = parseJson(t);
    if (!parsed.ok || !isRecord(parsed.value)) return undefined;
    const o = parsed.value;
    const event = o['event'];
    if (typeof event !== 'string') return undefined;
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(o)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = String(v);
    return { event, format: 'json', fields, arg: fields['correlation_id'], json: o };
  }
  const space = t.indexOf(' ');
  const event = space < 0 ? t : t.slice(0, space);
  if (!/^[A-Z_]{1,40}$/.test(event)) return undefined;
  const rest = space < 0 ? '' : t.slice(space + 1).trim();
  if (!KEYED.has(event)) return { event, format: 'plain-text', fields: {}, arg: rest.length > 0 ? rest : undefined };
  const fields: Record<string, string> = {};
  // error_text is free text: it runs to the end of the message.
  const free = rest.indexOf('error_text:');
  const keyed = free < 0 ? rest : rest.slice(0, free);
  if (free >= 0) fields['error_text'] = rest.slice(free + 'error_text:'.length);
  for (const token of keyed.split(/\s+/)) {
    const colon = token.indexOf(':');
    if (colon > 0) fields[token.slice(0, colon)] = token.slice(colon + 1);
  }
  return { event, format: 'plain-text', fields, arg: undefined };
}

/** A command in the connection's control format (plain "CMD [id]" or {"command", "correlation_id"}). */
export function command(format: ControlFormat, name: string, id?: string): string {
  if (format === 'json') return JSON.stringify({ command: name, ...(id !== undefined ? { correlation_id: id } : {}) });
  return id === undefined ? name : `${name} ${id}`;
}
