// A tiny bridge for testing the simulated caller: it listens on /twilio and /audio-stream, detects
// the caller's turns by energy, answers each turn by playing the turn back (paced at real time with
// a lead, a mark per 20 ms chunk on Twilio), and clears when the caller talks over it.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { mulawDecode, mulawEncode } from '../../../src/tools/sim/audio/g711.js';
import { pcm16FromBytes, pcm16ToBytes, rmsDbfs } from '../../../src/tools/sim/audio/pcm.js';

export interface EchoOptions {
  /** Lead over real time (default 80 ms). */
  readonly leadMs?: number;
  /** Outbound chunk size (default 20 ms). */
  readonly chunkMs?: number;
  /** Pause sending for this long once this much of a reply has been sent (an injected underrun). */
  readonly pauseAtMs?: number;
  readonly pauseMs?: number;
  /** Send junk frames at the start of each call. */
  readonly junk?: boolean;
  /** Required bearer token. */
  readonly token?: string;
  /** Silence that ends a caller turn (default 300 ms). */
  readonly endSilenceMs?: number;
}

export interface EchoCallStats {
  protocol: string;
  marksSent: number;
  marksEchoed: number;
  clears: number;
  turns: number;
  metadata?: unknown;
  dtmf: string[];
  stopped: boolean;
  framesIn: number;
}

export interface EchoServer {
  readonly port: number;
  url(path: '/twilio' | '/audio-stream', query?: string): string;
  readonly calls: EchoCallStats[];
  close(): Promise<void>;
}

export async function startEchoServer(options: EchoOptions = {}): Promise<EchoServer> {
  const http = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: true });
  const calls: EchoCallStats[] = [];
  http.on('upgrade', (req, socket, head) => {
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stats: EchoCallStats = { protocol: path, marksSent: 0, marksEchoed: 0, clears: 0, turns: 0, dtmf: [], stopped: false, framesIn: 0 };
      calls.push(stats);
      new EchoCall(ws, path === '/twilio' ? 'twilio' : 'audio-stream', options, stats);
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    calls,
    url: (path, query) => `ws://127.0.0.1:${port}${path}${query ? `?${query}` : ''}`,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

class EchoCall {
  private rate = 8000;
  private streamSid = '';
  private speaking = false;
  private voiced = 0;
  private silentMs = 0;
  private turn: Int16Array[] = [];
  private out: Int16Array[] = [];
  private sentMs = 0;
  private replyStart = 0;
  private paused = false;
  private pausedUntil = 0;
  private seq = 0;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly protocol: 'twilio' | 'audio-stream',
    private readonly o: EchoOptions,
    private readonly stats: EchoCallStats,
  ) {
    ws.on('message', (d, bin) => this.onMessage(d as Buffer, bin));
    ws.on('close', () => clearInterval(this.timer));
    this.timer = setInterval(() => this.pace(), 5);
  }

  private onMessage(d: Buffer, binary: boolean): void {
    if (this.protocol === 'audio-stream') {
      if (!binary) {
        if (!this.stats.metadata) {
          this.stats.metadata = JSON.parse(String(d)) as unknown;
          const r = (this.stats.metadata as { sampleRate?: number }).sampleRate;
          if (r === 16000) this.rate = 16000;
          this.junk();
        }
        return;
      }
      this.stats.framesIn++;
      this.onAudio(pcm16FromBytes(d));
      return;
    }
    const m = JSON.parse(String(d)) as Record<string, Record<string, string>> & { event: string; streamSid: string };
    if (m.event === 'start') {
      this.streamSid = m.streamSid;
      this.junk();
    } else if (m.event === 'media') {
      this.stats.framesIn++;
      this.onAudio(mulawDecode(Buffer.from(m['media']!['payload']!, 'base64')));
    } else if (m.event === 'mark') this.stats.marksEchoed++;
    else if (m.event === 'dtmf') this.stats.dtmf.push(m['dtmf']!['digit']!);
    else if (m.event === 'stop') this.stats.stopped = true;
  }

  private junk(): void {
    if (!this.o.junk) return;
    this.ws.send(Buffer.from([1, 2, 3]));
    this.ws.send('{"event":"nonsense"}');
    this.ws.send(JSON.stringify({ event: 'clear', streamSid: 'MZwrong' }));
  }

  private onAudio(pcm: Int16Array): void {
    const voiced = rmsDbfs(pcm) > -40;
    if (!this.speaking) {
      this.voiced = voiced ? this.voiced + 1 : 0;
      if (this.voiced >= 2) {
        this.speaking = true;
        this.silentMs = 0;
        if (this.out.length > 0 || this.sending()) this.clear();
      }
    } else {
      this.silentMs = voiced ? 0 : this.silentMs + 20;
      if (this.silentMs >= (this.o.endSilenceMs ?? 300)) {
        this.speaking = false;
        this.voiced = 0;
        this.stats.turns++;
        this.reply();
      }
    }
    if (this.speaking || this.voiced > 0) this.turn.push(pcm);
  }

  private sending(): boolean {
    return this.sentMs - (performance.now() - this.replyStart) > 0;
  }

  private clear(): void {
    this.out = [];
    this.stats.clears++;
    this.ws.send(
      this.protocol === 'twilio'
        ? JSON.stringify({ event: 'clear', streamSid: this.streamSid })
        : JSON.stringify({ type: 'streamAudio', data: { audioDataType: 'raw', audioData: '', sampleRate: this.rate, channels: 1, clear: true } }),
    );
  }

  private reply(): void {
    const all = new Int16Array(this.turn.reduce((n, t) => n + t.length, 0));
    let off = 0;
    for (const t of this.turn) {
      all.set(t, off);
      off += t.length;
    }
    this.turn = [];
    const chunk = ((this.o.chunkMs ?? 20) * this.rate) / 1000;
    for (let i = 0; i + chunk <= all.length; i += chunk) this.out.push(all.subarray(i, i + chunk));
    this.replyStart = performance.now();
    this.sentMs = 0;
    this.paused = false;
  }

  private pace(): void {
    const now = performance.now();
    if (this.o.pauseAtMs !== undefined && !this.paused && this.sentMs >= this.o.pauseAtMs) {
      this.paused = true;
      this.pausedUntil = now + (this.o.pauseMs ?? 200);
    }
    if (now < this.pausedUntil) return;
    if (this.pausedUntil > 0) {
      // resume like a real pacer: re-prime the full lead at once, then real time
      this.replyStart = now - this.sentMs;
      this.pausedUntil = 0;
    }
    const elapsed = now - this.replyStart;
    while (this.out.length > 0 && this.sentMs - elapsed < (this.o.leadMs ?? 80)) {
      const pcm = this.out.shift()!;
      this.sentMs += (pcm.length / this.rate) * 1000;
      if (this.protocol === 'twilio') {
        this.ws.send(JSON.stringify({ event: 'media', streamSid: this.streamSid, media: { payload: mulawEncode(pcm).toString('base64') } }));
        this.ws.send(JSON.stringify({ event: 'mark', streamSid: this.streamSid, mark: { name: `m${++this.seq}` } }));
        this.stats.marksSent++;
      } else {
        this.ws.send(JSON.stringify({ type: 'streamAudio', data: { audioDataType: 'raw', audioData: pcm16ToBytes(pcm).toString('base64'), sampleRate: this.rate, channels: 1 } }));
      }
    }
  }
}
