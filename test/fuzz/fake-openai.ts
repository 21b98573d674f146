// A hostile stand-in for OpenAI Realtime on loopback, speaking the real wire protocol: it opens
// every session like the service (session.created, then session.updated after the client's
// session.update) and then sends the test's script of server frames — valid, malformed or
// unknown — on the first connection of each run, followed by a sentinel event of an unknown
// type, so the test knows when Parley has read everything.
import { WebSocketServer, type WebSocket } from 'ws';

export const SENTINEL_TYPE = 'parley.fuzz.sentinel';

export interface FakeOpenAi {
  readonly url: string;
  /** The frames the next connection receives after session.updated. */
  arm(script: readonly string[]): void;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startFakeOpenAi(): Promise<FakeOpenAi> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let armed: readonly string[] | undefined;
  let connections = 0;
  const sockets = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    connections += 1;
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => {});
    const script = armed;
    armed = undefined;
    ws.send(JSON.stringify({ type: 'session.created', event_id: 'ev_0', session: { id: `sess_${connections}`, object: 'realtime.session' } }));
    ws.on('message', (data) => {
      let type: unknown;
      try {
        type = (JSON.parse(String(data)) as { type?: unknown }).type;
      } catch {
        return;
      }
      if (type !== 'session.update') return;
      ws.send(JSON.stringify({ type: 'session.updated', event_id: 'ev_1', session: {} }));
      if (!script) return;
      for (const frame of script) ws.send(frame);
      ws.send(JSON.stringify({ type: SENTINEL_TYPE }));
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/v1/realtime?model=gpt-realtime`,
    arm(script) {
      armed = script;
    },
    get connections() {
      return connections;
    },
    close() {
      for (const s of sockets) s.terminate();
      return new Promise((r) => wss.close(() => r()));
    },
  };
}
