// The call record (README "Call records"): transcripts, the events webhook, recordings.
export { CallRecords, type RecordsOptions } from './service.js';
export { NO_OBSERVER, type CallEvent, type CallEventType, type CallObserver, type CallRecorder, type TranscriptTurn } from './types.js';
