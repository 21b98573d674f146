// `parley sim-agent`: an offline OpenAI-Realtime-GA-compatible WebSocket server, embeddable
// in-process (PARLEY_AI=local, tests) or run as a process.
//
// Per-connection scripting without a client change, through query parameters:
//   sim_fault=<spec>    arm a fault (repeatable; spec syntax in faults.ts)
//   sim_reject=<status> refuse the upgrade with this HTTP status (e.g. 401, 429, 503)
import { parseToolCallSpec, type SimToolCall } from './toolCalls.js';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { AgentConnection, type AgentShared } from './connection.js';
import { parseFaultSpec } from './faults.js';
import type { ReceivedEvent, SimAgent, SimAgentOptions, SimFault } from './types.js';

const RECEIVED_LIMIT = 10_000;

export async function startSimAgent(options: SimAgentOptions = {}): Promise<SimAgent> {
  const shared: AgentShared & { received: ReceivedEvent[]; listeners: Set<(e: ReceivedEvent) => void> } = {
    options: {
      replyMode: options.replyMode ?? 'melody',
      replyMs: options.replyMs ?? 2400,
      deltaMs: options.deltaMs ?? 100,
      speed: options.speed ?? 4,
      firstAudioDelayMs: options.firstAudioDelayMs ?? 120,
      sessionMaxMs: options.sessionMaxMs ?? 60 * 60 * 1000,
      seed: options.seed ?? 1,
      drive: options.drive ?? 'auto',
      toolCalls: options.toolCalls ?? [],
    },
    counters: { responses: 0, responsesCancelled: 0, deltas: 0, audioMsSent: 0, speechStarted: 0, errorsSent: 0, toolCalls: 0, toolOutputs: 0, toolOutputsSpoken: 0 },
    truncates: [],
    callsAfterSpeech: [],
    received: [],
    listeners: new Set(),
    record(e) {
      this.received.push(e);
      // Trim in batches: splicing one element per event would be O(n) per event.
      if (this.received.length > 2 * RECEIVED_LIMIT) this.received.splice(0, this.received.length - RECEIVED_LIMIT);
      for (const l of this.listeners) l(e);
    },
  };
  const connections = new Map<number, AgentConnection>();
  let nextId = 0;
  let total = 0;

  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', code: 'upgrade_required', message: 'Use a WebSocket.' } }));
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 20 * 1024 * 1024 });

  http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const refuse = (status: number, code: string, message: string) => {
      const body = JSON.stringify({ error: { type: 'invalid_request_error', code, message } });
      socket.end(`HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    };
    if (options.path !== undefined && url.pathname !== options.path) return refuse(404, 'not_found', `No WebSocket at ${url.pathname}`);
    const reject = url.searchParams.get('sim_reject');
    if (reject !== null) {
      const status = Number(reject);
      return refuse(status >= 400 && status < 600 ? status : 500, 'sim_reject', 'Refused by sim_reject.');
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return refuse(401, 'invalid_api_key', 'Incorrect API key provided.');
    }
    const faults: SimFault[] = [...(options.faults ?? [])];
    for (const spec of url.searchParams.getAll('sim_fault')) {
      const parsed = parseFaultSpec(spec);
      if (!parsed.ok) return refuse(400, 'invalid_value', `sim_fault: ${parsed.error}`);
      faults.push(parsed.fault);
    }
    // A reply script for this connection only: ?sim_tool=TURN:NAME:JSON-ARGS (repeatable).
    const toolSpecs = url.searchParams.getAll('sim_tool');
    const toolCalls: SimToolCall[] = [];
    for (const spec of toolSpecs) {
      const parsed = parseToolCallSpec(spec);
      if (!parsed.ok) return refuse(400, 'invalid_value', `sim_tool: ${parsed.error}`);
      toolCalls.push(parsed.call);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const id = ++nextId;
      total++;
      const conn = new AgentConnection(id, req.url ?? '/', ws, socket, shared);
      connections.set(id, conn);
      ws.on('close', () => connections.delete(id));
      const beta = String(req.headers['openai-beta'] ?? '');
      if ((options.rejectBeta ?? true) && beta.includes('realtime=v1')) {
        conn.rejectBeta();
        return;
      }
      conn.start(faults, toolSpecs.length > 0 ? toolCalls : undefined);
    });
  });

  http.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(http, 'listening');
  const addr = http.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  return {
    url: `ws://${host}:${addr.port}${options.path ?? '/v1/realtime'}?model=gpt-realtime`,
    port: addr.port,
    inject(fault, connId) {
      if (connId === undefined) for (const c of connections.values()) c.inject(fault);
      else connections.get(connId)?.inject(fault);
    },
    connections: () => [...connections.values()].map((c) => ({ id: c.id, url: c.url, openedAt: c.openedAt })),
    stats: () => ({
      connections: total,
      activeConnections: connections.size,
      ...shared.counters,
      truncates: [...shared.truncates],
      callsAfterSpeech: [...shared.callsAfterSpeech],
    }),
    received: () => shared.received.slice(-RECEIVED_LIMIT),
    onEvent(listener) {
      shared.listeners.add(listener);
      return () => shared.listeners.delete(listener);
    },
    script(connId) {
      const c = connections.get(connId);
      return c && shared.options.drive === 'scripted' ? c.script() : undefined;
    },
    async close() {
      for (const c of connections.values()) c.closeWith(1001, 'agent shutting down');
      wss.close();
      const closed = new Promise<void>((r) => http.close(() => r()));
      // Sockets that do not finish the close handshake promptly are cut.
      const cut = setTimeout(() => {
        for (const ws of wss.clients) ws.terminate();
        http.closeAllConnections();
      }, 500);
      await closed;
      clearTimeout(cut);
    },
  };
}
