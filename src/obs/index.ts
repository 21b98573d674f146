export { createLogger, silentLogger, callLogger, redactUrl, REDACT_PATHS, type Logger } from './logger.js';
export {
  Metrics,
  DROP_REASONS,
  UNDERRUN_CAUSES,
  CALL_END_REASONS,
  REFUSAL_REASONS,
  type DropReason,
  type UnderrunCause,
  type CallEndReason,
  type RefusalReason,
  type Protocol,
} from './metrics.js';
export { watchEventLoop } from './eventLoop.js';
export { watchMediaEngine } from './mediaStats.js';
export { openCallTrace, flattenState, NULL_TRACE, type CallTrace, type TraceRecord, type TraceSource } from './trace.js';
