// Twilio's far side is the generic 'flushable-reports' model: one mark per chunk, echoed when
// played or (after a clear) when dropped (docs/reference/twilio-media-streams.md#marks-and-clear).
export { ReportedFarSide as TwilioMarkTracker } from '../far-side/reported.js';
