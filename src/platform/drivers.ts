// Which way a call is acted on: Twilio calls through the REST API (when an account is
// configured); audio-stream (FreeSWITCH mod_audio_stream) calls through the event socket when
// PARLEY_FREESWITCH_ESL is set, else as a JSON text message on the stream's own socket, which the
// module fires as a `mod_audio_stream::json` event for the dialplan or an ESL application.
import type { EslClient } from './eslClient.js';
import { failed, ok, type ActionResult, type PlatformAction, type PlatformCall, type PlatformDriver } from './types.js';

export class EslDriver implements PlatformDriver {
  readonly via = 'esl' as const;

  constructor(private readonly esl: EslClient) {}

  act(call: PlatformCall, action: PlatformAction): Promise<ActionResult> {
    if (!/^[A-Za-z0-9-]{1,64}$/.test(call.callId)) return Promise.resolve(failed('refused', 'the call has no valid channel uuid'));
    switch (action.kind) {
      case 'hangup':
        return this.esl.api(`uuid_kill ${call.callId} NORMAL_CLEARING`);
      case 'transfer':
        return this.esl.api(`uuid_transfer ${call.callId} ${action.destination}`);
      case 'dtmf':
        return this.esl.api(`uuid_send_dtmf ${call.callId} ${action.digits}`);
    }
  }
}

/** The body of the audio-stream action message (documented in the README). */
export function streamActionMessage(callId: string, action: PlatformAction): string {
  const base = { type: 'parley.action', callId };
  switch (action.kind) {
    case 'hangup':
      return JSON.stringify({ ...base, action: 'hangup' });
    case 'transfer':
      return JSON.stringify({ ...base, action: 'transfer', destination: action.destination });
    case 'dtmf':
      return JSON.stringify({ ...base, action: 'dtmf', digits: action.digits });
  }
}

export class StreamJsonDriver implements PlatformDriver {
  readonly via = 'stream_json' as const;

  act(call: PlatformCall, action: PlatformAction): Promise<ActionResult> {
    if (!call.sendText) return Promise.resolve(failed('not_configured', 'the stream cannot carry actions'));
    const sent = call.sendText(streamActionMessage(call.callId, action));
    return Promise.resolve(sent ? ok('sent on the stream') : failed('network', 'the stream is closed'));
  }
}

/**
 * The other WebSocket platforms (Telnyx, Plivo, Exotel, chan_websocket, Vonage, SignalWire):
 * Parley reaches them only through the call's media stream. DTMF goes out where the stream
 * documents a message for it (`dtmf` answers undefined where it does not); hang-up and transfer
 * are not stream messages there — a failed hang-up still ends the call, by closing the stream.
 */
export class MediaStreamDriver implements PlatformDriver {
  readonly via = 'media_stream' as const;

  constructor(
    private readonly platform: string,
    private readonly dtmf: (digits: string) => { readonly sent: boolean; readonly detail: string } | undefined,
  ) {}

  act(_call: PlatformCall, action: PlatformAction): Promise<ActionResult> {
    if (action.kind !== 'dtmf') return Promise.resolve(failed('not_configured', `${action.kind} is not supported on ${this.platform}: Parley reaches it only through its media stream`));
    const r = this.dtmf(action.digits);
    if (!r) return Promise.resolve(failed('not_configured', `send_dtmf is not supported on ${this.platform}: its stream has no message for sending digits`));
    if (r.sent) return Promise.resolve(ok(r.detail));
    return Promise.resolve(failed(r.detail === 'the stream is closed' ? 'network' : 'refused', r.detail));
  }
}

export class NoDriver implements PlatformDriver {
  readonly via = 'none' as const;

  constructor(private readonly why: string) {}

  act(): Promise<ActionResult> {
    return Promise.resolve(failed('not_configured', this.why));
  }
}
