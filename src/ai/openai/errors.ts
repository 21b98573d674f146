// Error classification (docs/ARCHITECTURE.md#ai-link-and-reconnect: auth/config errors are fatal at
// once; the rest may be retried or ignored). Codes: docs/reference/openai-realtime.md#errors.
import type { AiError, AiErrorSeverity } from '../types.js';

const FATAL_CODES = new Set([
  'invalid_api_key',
  'invalid_authentication',
  'authentication_error',
  'insufficient_quota',
  'model_not_found',
  'beta_api_shape_disabled',
  'invalid_model',
  'unsupported_model',
  'permission_denied',
]);
const RETRYABLE_CODES = new Set(['session_expired', 'server_error', 'internal_error', 'rate_limit_exceeded', 'service_unavailable']);
const BENIGN_CODES = new Set([
  'response_cancel_not_active',
  'conversation_already_has_active_response',
  'input_audio_buffer_commit_empty',
  'item_truncate_invalid_item_id',
  'unsupported_content_type',
]);

export function classifyServerError(type: string, code: string, param: string | undefined): AiErrorSeverity {
  if (FATAL_CODES.has(code)) return 'fatal';
  if (RETRYABLE_CODES.has(code)) return 'retryable';
  if (BENIGN_CODES.has(code)) return 'benign';
  if (type === 'authentication_error' || type === 'permission_error') return 'fatal';
  if (type === 'server_error' || type === 'rate_limit_error') return 'retryable';
  // A refused session.update is a configuration error: reconnecting replays the same config.
  if (type === 'invalid_request_error' && param !== undefined && param.startsWith('session')) return 'fatal';
  return 'benign';
}

/** The HTTP status of a refused upgrade: auth/not-found/bad-request are fatal; overload is retryable. */
export function classifyHandshakeStatus(status: number): AiErrorSeverity {
  return status === 408 || status === 429 || status >= 500 ? 'retryable' : 'fatal';
}

/** A close the server initiated (or an abnormal one). 4000: beta shape refused; 1008: policy (auth). */
export function classifyClose(code: number): AiErrorSeverity {
  if (code === 1008 || (code >= 4000 && code < 5000)) return 'fatal';
  return 'retryable';
}

export function transportError(code: string, message: string, severity: AiErrorSeverity): AiError {
  return { severity, code, type: 'transport', message };
}
