// What Parley asks a telephony platform to do to a call (issue 19): hang up, transfer to a
// checked destination, send DTMF digits. Every driver answers with an outcome and never throws;
// a failure is a value the tool's output reports (the call goes on, or ends: machines/callControl.ts).
export type PlatformAction =
  | { readonly kind: 'hangup' }
  | { readonly kind: 'transfer'; readonly destination: string }
  | { readonly kind: 'dtmf'; readonly digits: string };

export type ActionOutcome = 'ok' | 'not_configured' | 'http_error' | 'refused' | 'timeout' | 'network';

export interface ActionResult {
  readonly outcome: ActionOutcome;
  /** A short reason, safe to show to the model and to log (never a secret). */
  readonly detail: string;
}

/** The call a driver acts on. */
export interface PlatformCall {
  /** Twilio CallSid; FreeSWITCH channel uuid (the audio-stream metadata's callId). */
  readonly callId: string;
  /** Sends a text message on the call's media socket (audio-stream JSON actions). */
  readonly sendText?: (text: string) => boolean;
}

export interface PlatformDriver {
  /** How this driver reaches the platform, for logs and metrics. */
  readonly via: 'twilio_rest' | 'esl' | 'stream_json' | 'media_stream' | 'none';
  act(call: PlatformCall, action: PlatformAction): Promise<ActionResult>;
}

export const ok = (detail = 'done'): ActionResult => ({ outcome: 'ok', detail });
export const failed = (outcome: Exclude<ActionOutcome, 'ok'>, detail: string): ActionResult => ({ outcome, detail });

/** Digits a platform may be asked to send: 0-9 * # A-D, and w (a half-second pause). */
export const DTMF_OUT = /^[0-9*#ABCDw]{1,32}$/;
