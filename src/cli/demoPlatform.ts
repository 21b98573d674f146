// The platform's side of call control for `parley demo`, on loopback: the stand-ins that speak
// the real protocols (Twilio's REST API, FreeSWITCH's event socket), so the agent's end_call is
// carried out the way it is in production and the demo can count the hang-ups it received.
import { randomBytes, randomUUID } from 'node:crypto';
import type { ConfigInput } from '../config/index.js';
import { startFakeEsl } from '../tools/sim/platform/fakeEsl.js';
import { startFakeTwilio } from '../tools/sim/platform/fakeTwilio.js';

export interface DemoPlatform {
  /** Config overrides pointing Parley at the stand-in. */
  readonly config: Pick<ConfigInput, 'platform' | 'twilioAuthToken'>;
  /** The call's id on the platform (Twilio: the CallSid without its CA; FreeSWITCH: the channel uuid). */
  readonly channelUuid: string;
  /** How the hang-up travels, for the report. */
  readonly via: string;
  /** Hang-ups the platform received for the call. */
  hangups(): number;
  close(): Promise<void>;
}

const ESL_PASSWORD = 'parley-demo-esl';

export async function startDemoPlatform(protocol: 'twilio' | 'audio-stream'): Promise<DemoPlatform> {
  if (protocol === 'twilio') {
    const accountSid = `AC${randomBytes(16).toString('hex')}`;
    const authToken = randomBytes(16).toString('hex');
    const tw = await startFakeTwilio({ accountSid, authToken });
    const callId = randomBytes(16).toString('hex');
    return {
      config: { twilioAuthToken: authToken, platform: { twilioApiUrl: tw.url, twilioAccountSid: accountSid } },
      channelUuid: callId,
      via: "Twilio's REST API: Status=completed, a local stand-in",
      hangups: () => tw.updates.filter((u) => u.callSid === `CA${callId}` && u.form['Status'] === 'completed').length,
      close: () => tw.close(),
    };
  }
  const esl = await startFakeEsl(ESL_PASSWORD);
  const uuid = randomUUID();
  esl.addChannel(uuid);
  return {
    config: { platform: { freeswitchEsl: `${esl.host}:${esl.port}`, freeswitchEslPassword: ESL_PASSWORD } },
    channelUuid: uuid,
    via: "FreeSWITCH's event socket: uuid_kill, a local stand-in",
    hangups: () => esl.commands.filter((c) => c.line.startsWith(`api uuid_kill ${uuid}`)).length,
    close: () => esl.close(),
  };
}
