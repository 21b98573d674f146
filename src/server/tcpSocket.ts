// A TCP connection seen as the socket a call uses (session/seam.ts TelephonySocket): frames are
// bytes written in order; "close" ends the connection (close codes do not exist on TCP).
import type { Socket } from 'node:net';
import type { OutboundFrame } from '../telephony/types.js';
import type { TelephonySocket } from '../session/seam.js';

export class TcpTelephonySocket implements TelephonySocket {
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  private state = 1;

  constructor(private readonly socket: Socket) {
    socket.once('close', () => (this.state = 3));
  }

  get readyState(): number {
    return this.state === 1 && (this.socket.destroyed || !this.socket.writable) ? 3 : this.state;
  }

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  send(frame: OutboundFrame): void {
    if (this.readyState !== this.OPEN) return;
    this.socket.write(typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame);
  }

  close(): void {
    if (this.state !== 1) return;
    this.state = 2;
    this.socket.end();
  }

  terminate(): void {
    this.state = 3;
    this.socket.destroy();
  }
}
