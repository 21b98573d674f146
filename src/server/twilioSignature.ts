// Moved to the Twilio platform (src/telephony/twilio/signature.ts); kept for existing importers.
export * from '../telephony/twilio/signature.js';
