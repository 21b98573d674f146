// Environment variable names (the names are the outside contract,
// docs/ARCHITECTURE.md#outside-contract) and how each string becomes the value the schema
// validates. Every schema leaf has exactly one binding; a test walks the schema to keep the two in
// step.

export type EnvKind = 'string' | 'int' | 'number' | 'bool' | 'intList';

export interface EnvBinding {
  readonly env: string;
  /** Dotted path into the config object, e.g. `media.lookaheadMs`. */
  readonly path: string;
  readonly kind: EnvKind;
}

export const ENV_BINDINGS: readonly EnvBinding[] = [
  { env: 'PORT', path: 'port', kind: 'int' },
  { env: 'PARLEY_HOST', path: 'host', kind: 'string' },
  { env: 'PARLEY_LOG_LEVEL', path: 'logLevel', kind: 'string' },
  { env: 'PARLEY_AUTH_TOKEN', path: 'authToken', kind: 'string' },
  { env: 'PARLEY_TWILIO_AUTH_TOKEN', path: 'twilioAuthToken', kind: 'string' },
  { env: 'PARLEY_PUBLIC_URL', path: 'publicUrl', kind: 'string' },
  { env: 'PARLEY_TRACE_DIR', path: 'traceDir', kind: 'string' },
  { env: 'PARLEY_WORKERS', path: 'workers', kind: 'int' },
  { env: 'PARLEY_JS_PATH', path: 'jsPath', kind: 'string' },
  { env: 'PARLEY_WEBHOOK_SECRET', path: 'webhookSecret', kind: 'string' },
  { env: 'PARLEY_MAX_CALLS', path: 'limits.maxCalls', kind: 'int' },
  { env: 'PARLEY_MAX_MESSAGE_BYTES', path: 'limits.maxMessageBytes', kind: 'int' },
  { env: 'PARLEY_RATE_MSGS_PER_SEC', path: 'limits.rateMessagesPerSec', kind: 'int' },
  { env: 'PARLEY_RATE_BYTES_PER_SEC', path: 'limits.rateBytesPerSec', kind: 'int' },
  { env: 'PARLEY_START_TIMEOUT_MS', path: 'limits.startTimeoutMs', kind: 'int' },
  { env: 'PARLEY_UPGRADE_TIMEOUT_MS', path: 'limits.upgradeTimeoutMs', kind: 'int' },
  { env: 'PARLEY_MAX_HEADER_BYTES', path: 'limits.maxHeaderBytes', kind: 'int' },
  { env: 'PARLEY_MAX_CONNECTIONS_PER_IP', path: 'limits.maxConnectionsPerIp', kind: 'int' },
  { env: 'PARLEY_MEDIA', path: 'media.engine', kind: 'string' },
  { env: 'PARLEY_LOOKAHEAD_MS', path: 'media.lookaheadMs', kind: 'int' },
  { env: 'PARLEY_MEDIA_WAKE_TICKS', path: 'media.wakeEveryTicks', kind: 'int' },
  { env: 'PARLEY_PLAYOUT_RING_MS', path: 'media.playoutRingMs', kind: 'int' },
  { env: 'PARLEY_MEDIA_CORE_TRACE', path: 'media.coreTrace', kind: 'bool' },
  { env: 'PARLEY_PLAYOUT_BACKLOG_MS', path: 'media.playoutBacklogMs', kind: 'int' },
  { env: 'PARLEY_CAPTURE_RING_MS', path: 'media.captureRingMs', kind: 'int' },
  { env: 'PARLEY_MALLOC_TRIM_MS', path: 'media.mallocTrimMs', kind: 'int' },
  { env: 'PARLEY_PLAYOUT_GAIN_DB', path: 'media.playoutGainDb', kind: 'number' },
  { env: 'PARLEY_AI', path: 'ai.mode', kind: 'string' },
  { env: 'OPENAI_API_KEY', path: 'ai.openaiApiKey', kind: 'string' },
  { env: 'PARLEY_OPENAI_URL', path: 'ai.openaiUrl', kind: 'string' },
  { env: 'ELEVENLABS_API_KEY', path: 'ai.elevenlabsApiKey', kind: 'string' },
  { env: 'PARLEY_ELEVENLABS_URL', path: 'ai.elevenlabsUrl', kind: 'string' },
  { env: 'PARLEY_AI_INSTRUCTIONS', path: 'ai.instructions', kind: 'string' },
  { env: 'PARLEY_AI_VOICE', path: 'ai.voice', kind: 'string' },
  { env: 'PARLEY_AI_INTERRUPT_RESPONSE', path: 'ai.interruptResponse', kind: 'bool' },
  { env: 'PARLEY_AI_APPEND_BATCH_MS', path: 'ai.appendBatchMs', kind: 'int' },
  { env: 'PARLEY_AI_SEND_BUFFER_BYTES', path: 'ai.sendBufferBytes', kind: 'int' },
  { env: 'PARLEY_AI_GAP_BUFFER_MS', path: 'ai.gapBufferMs', kind: 'int' },
  { env: 'PARLEY_AI_CONNECT_TIMEOUT_MS', path: 'ai.connectTimeoutMs', kind: 'int' },
  { env: 'PARLEY_ELEVENLABS_ENDPOINT', path: 'tts.elevenlabsEndpoint', kind: 'string' },
  { env: 'PARLEY_ELEVENLABS_VOICE', path: 'tts.elevenlabsVoice', kind: 'string' },
  { env: 'PARLEY_ELEVENLABS_MODEL', path: 'tts.elevenlabsModel', kind: 'string' },
  { env: 'PARLEY_ELEVENLABS_FORMAT', path: 'tts.elevenlabsFormat', kind: 'string' },
  { env: 'PARLEY_OPENAI_TTS_URL', path: 'tts.openaiTtsUrl', kind: 'string' },
  { env: 'PARLEY_OPENAI_TTS_MODEL', path: 'tts.openaiTtsModel', kind: 'string' },
  { env: 'PARLEY_OPENAI_TTS_VOICE', path: 'tts.openaiTtsVoice', kind: 'string' },
  { env: 'PARLEY_TTS_FAILOVER_THRESHOLD', path: 'tts.failoverThreshold', kind: 'int' },
  { env: 'PARLEY_TTS_COOLDOWN_MS', path: 'tts.cooldownMs', kind: 'int' },
  { env: 'PARLEY_TTS_TIMEOUT_MS', path: 'tts.timeoutMs', kind: 'int' },
  { env: 'PARLEY_TTS_PREFETCH', path: 'tts.prefetch', kind: 'int' },
  { env: 'PARLEY_TTS_CACHE_BYTES', path: 'tts.cacheBytes', kind: 'int' },
  { env: 'PARLEY_TTS_CACHE_CALL_BYTES', path: 'tts.cacheCallBytes', kind: 'int' },
  { env: 'PARLEY_TTS_CACHE_TTL_MS', path: 'tts.cacheTtlMs', kind: 'int' },
  { env: 'PARLEY_TTS_DSP', path: 'tts.dsp', kind: 'bool' },
  { env: 'PARLEY_RECONNECT_DELAYS_MS', path: 'reconnect.delaysMs', kind: 'intList' },
  { env: 'PARLEY_RECONNECT_ATTEMPTS', path: 'reconnect.attempts', kind: 'int' },
  { env: 'PARLEY_RECONNECT_JITTER', path: 'reconnect.jitter', kind: 'number' },
  { env: 'PARLEY_GIVEUP_NOTICE', path: 'reconnect.giveUpNotice', kind: 'string' },
  { env: 'PARLEY_AUDIO_STREAM_RATE', path: 'telephony.audioStreamRate', kind: 'int' },
  { env: 'PARLEY_AUDIO_STREAM_BUFFER_MS', path: 'telephony.audioStreamBufferMs', kind: 'int' },
  { env: 'PARLEY_AUDIO_STREAM_MIN_FILL_MS', path: 'telephony.audioStreamMinFillMs', kind: 'int' },
  { env: 'PARLEY_AUDIO_STREAM_CUSHION_MS', path: 'telephony.audioStreamCushionMs', kind: 'int' },
  { env: 'PARLEY_UNFLUSHABLE_JITTER_MS', path: 'telephony.unflushableJitterMs', kind: 'int' },
  { env: 'PARLEY_AUDIOSOCKET_PORT', path: 'telephony.audiosocketPort', kind: 'int' },
  { env: 'PARLEY_AUDIOSOCKET_ALLOW', path: 'telephony.audiosocketAllow', kind: 'string' },
  { env: 'PARLEY_AUDIOSOCKET_UUID_PREFIX', path: 'telephony.audiosocketUuidPrefix', kind: 'string' },
  { env: 'PARLEY_REPORTED_CUSHION_MS', path: 'telephony.reportedCushionMs', kind: 'int' },
  { env: 'PARLEY_DRAIN_MS', path: 'shutdown.drainMs', kind: 'int' },
  { env: 'PARLEY_TWILIO_API_URL', path: 'platform.twilioApiUrl', kind: 'string' },
  { env: 'PARLEY_TWILIO_ACCOUNT_SID', path: 'platform.twilioAccountSid', kind: 'string' },
  { env: 'PARLEY_TWILIO_API_KEY_SID', path: 'platform.twilioApiKeySid', kind: 'string' },
  { env: 'PARLEY_TWILIO_API_KEY_SECRET', path: 'platform.twilioApiKeySecret', kind: 'string' },
  { env: 'PARLEY_FREESWITCH_ESL', path: 'platform.freeswitchEsl', kind: 'string' },
  { env: 'PARLEY_FREESWITCH_ESL_PASSWORD', path: 'platform.freeswitchEslPassword', kind: 'string' },
  { env: 'PARLEY_PLATFORM_TIMEOUT_MS', path: 'platform.commandTimeoutMs', kind: 'int' },
  { env: 'PARLEY_EVENTS_URL', path: 'records.eventsUrl', kind: 'string' },
  { env: 'PARLEY_EVENTS_DIR', path: 'records.eventsDir', kind: 'string' },
  { env: 'PARLEY_EVENTS_QUEUE_MAX', path: 'records.eventsQueueMax', kind: 'int' },
  { env: 'PARLEY_EVENTS_TIMEOUT_MS', path: 'records.eventsTimeoutMs', kind: 'int' },
  { env: 'PARLEY_EVENTS_OUTBOX_BYTES', path: 'records.eventsOutboxBytes', kind: 'int' },
  { env: 'PARLEY_LOG_TOOL_ARGUMENTS', path: 'records.logToolArguments', kind: 'bool' },
  { env: 'PARLEY_RECORDING_DIR', path: 'records.recordingDir', kind: 'string' },
  { env: 'PARLEY_RECORD', path: 'records.record', kind: 'bool' },
  { env: 'PARLEY_TRANSCRIPTION_MODEL', path: 'records.transcriptionModel', kind: 'string' },
];

/** The coerced value, or an error text naming what the string should have looked like. */
export type Coerced = { ok: true; value: unknown } | { ok: false; expected: string };

const INT = /^[+-]?\d+$/;
const NUM = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function coerceEnv(kind: EnvKind, raw: string): Coerced {
  const s = raw.trim();
  switch (kind) {
    case 'string':
      return { ok: true, value: raw };
    case 'int':
      return INT.test(s) ? { ok: true, value: Number(s) } : { ok: false, expected: 'an integer' };
    case 'number':
      return NUM.test(s) ? { ok: true, value: Number(s) } : { ok: false, expected: 'a number' };
    case 'bool': {
      const l = s.toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(l)) return { ok: true, value: true };
      if (['0', 'false', 'no', 'off'].includes(l)) return { ok: true, value: false };
      return { ok: false, expected: 'true or false (also 1/0, yes/no, on/off)' };
    }
    case 'intList': {
      const parts = s.split(',').map((p) => p.trim());
      if (parts.length === 0 || parts.some((p) => !INT.test(p))) {
        return { ok: false, expected: 'a comma-separated list of integers, e.g. 100,1000,2000,4000' };
      }
      return { ok: true, value: parts.map(Number) };
    }
  }
}

export function bindingForPath(path: string): EnvBinding | undefined {
  return ENV_BINDINGS.find((b) => b.path === path);
}
