// A stand-in for FreeSWITCH's inbound event socket (docs/reference/freeswitch-esl.md), speaking
// its text protocol: on connect `Content-Type: auth/request`; `auth <password>` answered by a
// command/reply (+OK accepted / -ERR invalid, then disconnect); `event plain <names>`,
// `filter <header> <value>`, `filter delete …` answered by command/reply; `api <command>` by an
// api/response with Content-Length; events as text/event-plain with URL-encoded header values.
// It knows channels by uuid and acts like FreeSWITCH on uuid_kill, uuid_transfer and
// uuid_send_dtmf; tests drive DTMF from a channel and can drop connections or stall replies.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { formatEsl } from '../../../platform/eslFrame.js';

export interface EslCommand {
  readonly line: string;
  readonly at: number;
}

export interface FakeEsl {
  readonly host: string;
  readonly port: number;
  /** Every command line received after authentication (auth excluded), in order. */
  readonly commands: EslCommand[];
  /** Connections accepted so far. */
  connections(): number;
  /** A channel Parley may act on (uuid_* on any other answers -ERR No such channel!). */
  addChannel(uuid: string): void;
  /** The caller pressed a key on channel `uuid`: a DTMF event to every subscribed, matching connection. */
  pressDigit(uuid: string, digit: string): void;
  /** Drops every connection (FreeSWITCH restarting). */
  dropAll(): void;
  /** The next n api commands are never answered. */
  stallNext(n?: number): void;
  close(): Promise<void>;
}

interface Conn {
  readonly sock: Socket;
  authed: boolean;
  events: Set<string>;
  filters: Map<string, Set<string>>;
}

export interface FakeEslOptions {
  /** Listen address (default 127.0.0.1, an ephemeral port). */
  readonly host?: string;
  readonly port?: number;
  /** Every uuid is a live channel (sim-call's fake: the calls are not known ahead). Default false. */
  readonly anyChannel?: boolean;
}

export async function startFakeEsl(password: string, opts: FakeEslOptions = {}): Promise<FakeEsl> {
  const commands: EslCommand[] = [];
  const channels = new Set<string>();
  const killed = new Set<string>();
  const conns = new Set<Conn>();
  let accepted = 0;
  let stall = 0;
  const reply = (c: Conn, text: string) => c.sock.write(formatEsl({ 'Content-Type': 'command/reply', 'Reply-Text': text }));
  const apiResponse = (c: Conn, body: string) => c.sock.write(formatEsl({ 'Content-Type': 'api/response' }, body));

  const api = (c: Conn, cmd: string) => {
    if (stall > 0) {
      stall--;
      return;
    }
    const [name, uuid, ...rest] = cmd.split(' ');
    if (!['uuid_kill', 'uuid_transfer', 'uuid_send_dtmf'].includes(name ?? '')) return apiResponse(c, `-ERR ${name} Command not found!\n`);
    const live = uuid !== undefined && (channels.has(uuid) || (opts.anyChannel === true && !killed.has(uuid)));
    if (!uuid || !live) return apiResponse(c, '-ERR No such channel!\n');
    if (name === 'uuid_transfer' && rest.length === 0) return apiResponse(c, '-USAGE: <uuid> [-bleg|-both] <dest-exten> [<dialplan>] [<context>]\n');
    if (name === 'uuid_send_dtmf' && !/^[0-9*#ABCDw@]+$/.test(rest[0] ?? '')) return apiResponse(c, '-ERR Invalid DTMF\n');
    if (name === 'uuid_kill') {
      channels.delete(uuid);
      killed.add(uuid);
      if (killed.size > 10_000) killed.delete(killed.values().next().value!); // bounded for long runs
    }
    apiResponse(c, '+OK\n');
  };

  const onLine = (c: Conn, line: string) => {
    if (!c.authed) {
      if (line === `auth ${password}`) {
        c.authed = true;
        return reply(c, '+OK accepted');
      }
      reply(c, '-ERR invalid');
      c.sock.end(formatEsl({ 'Content-Type': 'text/disconnect-notice' }, 'Disconnected, goodbye.\n'));
      return;
    }
    commands.push({ line, at: Date.now() });
    if (line.startsWith('api ')) return api(c, line.slice(4).trim());
    if (line.startsWith('event plain ')) {
      for (const e of line.slice(12).trim().split(/\s+/)) c.events.add(e);
      return reply(c, `+OK event listener enabled plain`);
    }
    const f = /^filter (delete )?(\S+) (\S+)$/.exec(line);
    if (f) {
      const set = c.filters.get(f[2]!) ?? new Set<string>();
      if (f[1]) set.delete(f[3]!);
      else set.add(f[3]!);
      c.filters.set(f[2]!, set);
      return reply(c, f[1] ? `+OK filter deleted. [${f[2]}]=[${f[3]}]` : `+OK filter added. [${f[2]}]=[${f[3]}]`);
    }
    if (line === 'exit') {
      reply(c, '+OK bye');
      c.sock.end(formatEsl({ 'Content-Type': 'text/disconnect-notice' }, 'Disconnected, goodbye.\n'));
      return;
    }
    reply(c, '-ERR command not found');
  };

  const server: Server = createServer((sock) => {
    accepted++;
    const c: Conn = { sock, authed: false, events: new Set(), filters: new Map() };
    conns.add(c);
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 2);
        if (line.length > 0) onLine(c, line);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => conns.delete(c));
    sock.write(formatEsl({ 'Content-Type': 'auth/request' }));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    host,
    port,
    commands,
    connections: () => accepted,
    addChannel: (uuid) => void channels.add(uuid),
    pressDigit(uuid, digit) {
      const body = [
        'Event-Name: DTMF',
        'Core-UUID: 00000000-0000-0000-0000-000000000000',
        `Event-Date-Timestamp: ${Date.now() * 1000}`,
        `Unique-ID: ${encodeURIComponent(uuid)}`,
        `Channel-Call-UUID: ${encodeURIComponent(uuid)}`,
        `DTMF-Digit: ${encodeURIComponent(digit)}`,
        'DTMF-Duration: 2000',
        'DTMF-Source: RTP',
      ].join('\n') + '\n';
      for (const c of conns) {
        if (!c.authed || !(c.events.has('DTMF') || c.events.has('ALL'))) continue;
        const ids = c.filters.get('Unique-ID');
        if (ids && ids.size > 0 && !ids.has(uuid)) continue;
        c.sock.write(formatEsl({ 'Content-Type': 'text/event-plain' }, body));
      }
    },
    dropAll() {
      for (const c of conns) c.sock.destroy();
    },
    stallNext: (n = 1) => (stall = n),
    close: () =>
      new Promise<void>((r) => {
        for (const c of conns) c.sock.destroy();
        server.close(() => r());
      }),
  };
}
