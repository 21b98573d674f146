// A telephony platform as Parley sees it: where it connects (a WebSocket path, or a TCP
// listener), how its messages decode and encode, and which kind of far side it has. The kind —
// not the platform's name — is what pacing, barge-in and truncation decide on
// (docs/ARCHITECTURE.md#adding-a-platform). Each platform defines one descriptor in
// src/telephony/<platform>/platform.ts; registry.ts lists them.
import type { AudioFormat } from '../media/types.js';
import type { CallStart, DecoderOptions, FarSideModel, InboundDecoder, OutboundEncoder } from './types.js';
import type { EncoderOptions } from './encoder-template.js';

/**
 * What the far side buffers and what it tells us (specs/BargeIn.tla, FarSideKind):
 *  - 'flushable-reports': a clear drops its queue; played positions come back (marks, checkpoints);
 *  - 'flushable-model':   a clear drops its queue; no reports, Parley simulates the buffer;
 *  - 'unflushable':       audio handed over cannot be taken back; Parley paces one frame at a
 *                         time at the deadline so that its lead stays ≤ one frame + a jitter margin.
 */
export type FarSideKind = 'flushable-reports' | 'flushable-model' | 'unflushable';
export const FAR_SIDE_KINDS: readonly FarSideKind[] = ['flushable-reports', 'flushable-model', 'unflushable'];

export type PlatformTransport = 'websocket' | 'tcp';

/** One outbound message: a WebSocket text frame (string) or binary frame / TCP bytes (Buffer). */
export type OutboundFrame = string | Buffer;

export interface FarSideOptions {
  /** flushable-model (mod_audio_stream): STREAM_INJECT_BUFFER_MS (default 5000). */
  readonly moduleBufferMs?: number;
  /** flushable-model (mod_audio_stream): STREAM_INJECT_MIN_BUFFER_MS (default 60). */
  readonly moduleMinFillMs?: number;
  /** unflushable: how far ahead of real time audio may be handed over, beyond one frame (ms). */
  readonly jitterMarginMs?: number;
}

/** The parts of an upgrade request a platform's authentication may read. */
export interface AuthRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request target as sent (path and query). */
  readonly url: string;
  readonly remoteAddress: string;
}

export interface AuthContext {
  /** PARLEY_PUBLIC_URL: the URL the platform connected to, when Parley is behind a proxy. */
  readonly publicUrl: string | undefined;
  /** A configured secret by its environment name (e.g. PARLEY_TWILIO_AUTH_TOKEN), if set. */
  secret(name: string): string | undefined;
}

/** A platform credential's check: 'missing' falls back to the bearer token; 'invalid' is refused (403). */
export type AuthVerdict = { readonly result: 'valid' } | { readonly result: 'missing' } | { readonly result: 'invalid'; readonly detail: string };

export interface Platform {
  /** Stable id: the `protocol` metric label, `sim-call --protocol`, trace field. */
  readonly id: string;
  /** WebSocket path ('/twilio'); a tcp platform names its listener here ('tcp:audiosocket'). */
  readonly path: string;
  readonly transport: PlatformTransport;
  readonly farSide: FarSideKind;
  /**
   * The leg ends a call by closing its connection (mod_audio_stream); false when it says so
   * first (Twilio `stop`) and a close without it is a failure.
   */
  readonly closeIsHangup: boolean;
  createDecoder(options: DecoderOptions): InboundDecoder;
  /** Needs the start: e.g. Twilio's streamSid goes on every message, audio-stream's rate. */
  createEncoder(start: CallStart, options?: EncoderOptions): OutboundEncoder;
  createFarSide(format: AudioFormat, options: FarSideOptions): FarSideModel;
  /**
   * The platform's own credential (a signature or token), checked on the upgrade. Undefined
   * when the platform has none or it is not configured: the bearer token then decides.
   */
  authenticate?(req: AuthRequest, ctx: AuthContext): AuthVerdict | undefined;
}
