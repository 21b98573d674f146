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

export class NoDriver implements PlatformDriver {
  readonly via = 'none' as const;

  constructor(private readonly why: string) {}

  act(): Promise<ActionResult> {
    return Promise.resolve(failed('not_configured', this.why));
  }
}
