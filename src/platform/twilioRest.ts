// Twilio's Call resource update (docs/reference/twilio-rest.md): POST
// {base}/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json, form-encoded, HTTP basic auth
// with an API key (SID and secret; Twilio's recommendation) or the account SID and auth token. `Status=completed` hangs up; `Twiml=<Response><Dial>…`
// replaces the call's TwiML, which ends the media stream and dials the destination. Never throws.
import { failed, ok, type ActionResult, type PlatformAction, type PlatformCall, type PlatformDriver } from './types.js';

export interface TwilioRestOptions {
  /** https://api.twilio.com, or a stand-in (PARLEY_TWILIO_API_URL). */
  readonly baseUrl: string;
  /** The account whose calls these are (always in the path). */
  readonly accountSid: string;
  /** Basic auth: an API key (user = key SID, password = secret) or the account (user = account SID, password = auth token). */
  readonly credentials: { readonly user: string; readonly password: string };
  readonly timeoutMs?: number;
}

const CALL_SID = /^CA[0-9a-fA-F]{32}$|^[A-Za-z0-9]{2,64}$/;

export const escapeXml = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The TwiML that transfers the call: a SIP URI dials <Sip>, anything else <Number>. */
export function transferTwiml(destination: string): string {
  const d = escapeXml(destination);
  const noun = /^sips?:/.test(destination) ? `<Sip>${d}</Sip>` : `<Number>${d}</Number>`;
  return `<Response><Dial>${noun}</Dial></Response>`;
}

export class TwilioRestDriver implements PlatformDriver {
  readonly via = 'twilio_rest' as const;

  constructor(private readonly opts: TwilioRestOptions) {}

  async act(call: PlatformCall, action: PlatformAction): Promise<ActionResult> {
    if (action.kind === 'dtmf') {
      // Updating the call's TwiML to <Play digits> would end the media stream (and this call).
      return failed('refused', 'sending DTMF is not supported on Twilio media streams');
    }
    if (!CALL_SID.test(call.callId)) return failed('refused', 'the call has no valid CallSid');
    const form = new URLSearchParams(action.kind === 'hangup' ? { Status: 'completed' } : { Twiml: transferTwiml(action.destination) });
    const url = `${this.opts.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(this.opts.accountSid)}/Calls/${encodeURIComponent(call.callId)}.json`;
    const auth = Buffer.from(`${this.opts.credentials.user}:${this.opts.credentials.password}`).toString('base64');
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 5000),
      });
      const text = await res.text().catch(() => '');
      if (res.status >= 200 && res.status < 300) return ok(`Twilio answered HTTP ${res.status}`);
      return failed('http_error', `Twilio answered HTTP ${res.status}${twilioError(text)}`);
    } catch (err) {
      if (err instanceof Error && err.name === 'TimeoutError') return failed('timeout', 'Twilio did not answer in time');
      return failed('network', 'Twilio could not be reached');
    }
  }
}

/** Twilio's error body `{code, message, …}`: the code and a short message. */
function twilioError(text: string): string {
  try {
    const j = JSON.parse(text) as { code?: unknown; message?: unknown };
    const code = typeof j.code === 'number' ? ` (error ${j.code})` : '';
    const msg = typeof j.message === 'string' ? `: ${j.message.slice(0, 100)}` : '';
    return code + msg;
  } catch {
    return '';
  }
}
