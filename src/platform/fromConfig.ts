// The process's platform drivers from config.platform: Twilio's REST API when an account is
// configured, FreeSWITCH's event socket (one connection per process) when PARLEY_FREESWITCH_ESL
// is set, else the audio-stream JSON message on each call's own socket.
import type { ParleyConfig } from '../config/index.js';
import type { Logger } from '../obs/index.js';
import type { PlatformDrivers } from '../session/callControl.js';
import { EslDriver, NoDriver, StreamJsonDriver } from './drivers.js';
import { EslClient } from './eslClient.js';
import { TwilioRestDriver } from './twilioRest.js';

export function platformDrivers(config: ParleyConfig, log: Logger): { drivers: PlatformDrivers; close: () => void } {
  const p = config.platform;
  // An API key when one is set (Twilio's recommendation), else the account's auth token.
  const credentials =
    p.twilioApiKeySid && p.twilioApiKeySecret
      ? { user: p.twilioApiKeySid, password: p.twilioApiKeySecret }
      : p.twilioAccountSid && config.twilioAuthToken
        ? { user: p.twilioAccountSid, password: config.twilioAuthToken }
        : undefined;
  const twilio =
    p.twilioAccountSid && credentials
      ? new TwilioRestDriver({ baseUrl: p.twilioApiUrl, accountSid: p.twilioAccountSid, credentials, timeoutMs: p.commandTimeoutMs })
      : new NoDriver('no Twilio account is configured (PARLEY_TWILIO_ACCOUNT_SID with PARLEY_TWILIO_API_KEY_SID + PARLEY_TWILIO_API_KEY_SECRET, or PARLEY_TWILIO_AUTH_TOKEN)');
  if (!p.freeswitchEsl || !p.freeswitchEslPassword) return { drivers: { twilio, audioStream: new StreamJsonDriver() }, close: () => {} };
  const i = p.freeswitchEsl.lastIndexOf(':');
  const esl = new EslClient({
    host: p.freeswitchEsl.slice(0, i).replace(/^\[|\]$/g, ''),
    port: Number(p.freeswitchEsl.slice(i + 1)),
    password: p.freeswitchEslPassword,
    commandTimeoutMs: p.commandTimeoutMs,
    onState: (state, why) => (state === 'ready' ? log.info('FreeSWITCH event socket ready') : log.warn({ why }, 'FreeSWITCH event socket down')),
  });
  esl.start();
  return {
    drivers: { twilio, audioStream: new EslDriver(esl), subscribeDtmf: (uuid, onDigit) => esl.subscribe(uuid, onDigit) },
    close: () => esl.close(),
  };
}
