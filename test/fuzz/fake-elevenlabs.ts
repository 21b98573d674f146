// A hostile stand-in for ElevenLabs multi-stream-input on loopback, speaking the real wire
// protocol: every flushed sentence of a context is answered first with the test's script of
// server frames (valid, malformed, unknown), then with well-formed audio and `isFinal` for that
// context, so the call can go on. The script is sent once per arm().
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeElevenLabs {
  /** PARLEY_ELEVENLABS_URL (ws://host:port/v1/text-to-speech). */
  readonly url: string;
  arm(script: readonly string[]): void;
  /** Frames of armed scripts sent so far. */
  readonly scriptedSent: number;
  close(): Promise<void>;
}

export async function startFakeElevenLabs(): Promise<FakeElevenLabs> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  let armed: readonly string[] | undefined;
  let scriptedSent = 0;
  const sockets = new Set<WebSocket>();
  wss.on('connection', (ws, req) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => {});
    const rate = Number(/output_format=pcm_(\d+)/.exec(req.url ?? '')?.[1] ?? 16000);
    ws.on('message', (data) => {
      let m: { text?: unknown; context_id?: unknown; flush?: unknown };
      try {
        m = JSON.parse(String(data)) as typeof m;
      } catch {
        return;
      }
      if (typeof m.text !== 'string' || m.text.trim() === '' || m.flush !== true) return;
      const contextId = typeof m.context_id === 'string' ? m.context_id : undefined;
      const script = armed;
      armed = undefined;
      for (const frame of script ?? []) {
        ws.send(frame);
        scriptedSent++;
      }
      // Then the sentence itself: 200 ms of a quiet tone, and the end of the context's audio.
      const samples = Math.round(rate / 5);
      const pcm = Buffer.alloc(samples * 2);
      for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 2 * i);
      ws.send(JSON.stringify({ audio: pcm.toString('base64'), isFinal: null, ...(contextId ? { contextId } : {}) }));
      ws.send(JSON.stringify({ isFinal: true, ...(contextId ? { contextId } : {}) }));
    });
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/v1/text-to-speech`,
    arm(script) {
      armed = script;
    },
    get scriptedSent() {
      return scriptedSent;
    },
    close() {
      for (const s of sockets) s.terminate();
      return new Promise((r) => wss.close(() => r()));
    },
  };
}
