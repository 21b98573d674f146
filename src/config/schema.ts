// The shape of Parley's configuration: one zod schema, the single source of every setting's
// type, accepted values, default and one-line documentation (`.describe`). The env bindings
// (env.ts) and the README table (table.ts) are derived from or checked against it.
import { z } from 'zod';
import { FRAME_MS, PLAYOUT_GAIN_DB } from '../media/types.js';
import { MAX_WAKE_EVERY_TICKS } from '../media/engine.js';
import { DEFAULT_JITTER, DEFAULT_MAX_ATTEMPTS, RECONNECT_BACKOFF_MS } from '../../machines/aiLink.js';
import { toolsSchema } from './tools.js';
import { agentsSchema } from './agents.js';
import { mcpSchema } from './mcp.js';
import { callControlSchema } from './callControl.js';

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const wsUrl = z.url({ protocol: /^wss?$/ });
const secret = z.string().min(1);

/** Bounds (docs/ARCHITECTURE.md#bounds): every queue, connection and call has one. */
const limits = z
  .strictObject({
    maxCalls: int(1, 100_000).default(1000).describe('concurrent calls; further telephony upgrades get HTTP 503'),
    maxMessageBytes: int(1024, 16 * 1024 * 1024)
      .default(65_536)
      .describe('largest telephony WebSocket message in bytes; larger ones close the socket with 1009'),
    rateMessagesPerSec: int(10, 100_000)
      .default(250)
      .describe('per-connection inbound message rate (token bucket, 2 s burst); excess is dropped and counted'),
    rateBytesPerSec: int(8_000, 64 * 1024 * 1024)
      .default(262_144)
      .describe('per-connection inbound byte rate (token bucket, 2 s burst); excess is dropped and counted'),
    startTimeoutMs: int(100, 120_000)
      .default(10_000)
      .describe('time a telephony socket may take to announce its call before it is closed'),
    upgradeTimeoutMs: int(100, 60_000)
      .default(5000)
      .describe('time a TCP connection may take to send a complete request (WebSocket upgrade or ops GET) before it is closed; counted'),
    maxHeaderBytes: int(1024, 65_536)
      .default(8192)
      .describe('largest HTTP request head in bytes; larger ones get HTTP 431 and are counted'),
    maxConnectionsPerIp: int(0, 100_000)
      .default(0)
      .describe('open TCP connections per remote address, 0 = no limit (behind a load balancer every call comes from its address); excess is closed and counted'),
  })
  .prefault({});

const media = z
  .strictObject({
    engine: z.enum(['native', 'js']).default('native').describe('media core: the C++ addon, or the TypeScript reference engine'),
    lookaheadMs: int(40, 200).default(80).describe('outbound lead over real time (docs/ARCHITECTURE.md#audio-paths)'),
    wakeEveryTicks: int(1, MAX_WAKE_EVERY_TICKS)
      .default(1)
      .describe(
        "the media thread wakes the JS thread every this many 20 ms ticks (1 = every tick); fewer wake-ups and socket writes per call, frames leave in groups of N, caller audio reaches the AI up to (N-1)×20 ms later; media.lookaheadMs must exceed N×20 ms (docs/ARCHITECTURE.md#two-threads)",
      ),
    playoutRingMs: int(100, 60_000)
      .default(2000)
      .describe("playout ring bound in ms of agent audio (the media core's ring)"),
    playoutBacklogMs: int(0, 300_000)
      .default(60_000)
      .describe('agent audio held in JS while the playout ring is full (the AI sends faster than real time); beyond it, dropped and counted'),
    captureRingMs: int(100, 60_000)
      .default(1000)
      .describe('capture ring bound in ms of caller audio; overflow is refused and counted'),
    mallocTrimMs: int(0, 600_000)
      .default(0)
      .describe('every this many ms, free memory the C library holds goes back to the OS (malloc_trim on the libuv pool: about 190 KB per call at 200 calls, but the JS thread waits for the arena lock while it runs, 5–75 ms measured); 0 = never'),
    playoutGainDb: z
      .number()
      .min(PLAYOUT_GAIN_DB.min)
      .max(PLAYOUT_GAIN_DB.max)
      .default(0)
      .describe("gain in dB on the agent's audio at the telephony rate, before the peak limiter (-1 dBFS); 0 leaves a passthrough call byte-exact"),
    coreTrace: z
      .boolean()
      .default(false)
      .describe("record the media core's own steps (trace mode) into each call's trace (needs traceDir), for the refinement check against specs/Playout.tla; testing and benches"),
  })
  .prefault({});

const ai = z
  .strictObject({
    mode: z
      .enum(['openai', 'cascade', 'local'])
      .optional()
      .describe('AI backend; default openai when OPENAI_API_KEY is set, else local (the built-in offline agent)'),
    openaiApiKey: secret.optional().describe('OpenAI API key (secret; never logged)'),
    openaiUrl: wsUrl
      .default('wss://api.openai.com/v1/realtime?model=gpt-realtime')
      .describe('OpenAI Realtime endpoint; ws:// is accepted so local servers can stand in'),
    elevenlabsApiKey: secret.optional().describe('ElevenLabs API key for cascade mode (secret; never logged)'),
    elevenlabsUrl: wsUrl
      .default('wss://api.elevenlabs.io/v1/text-to-speech')
      .describe('ElevenLabs streaming TTS endpoint base; ws:// accepted'),
    instructions: z
      .string()
      .max(16_384)
      .default('You are a friendly, concise telephone assistant.')
      .describe('system instructions sent in session.update'),
    voice: z.string().min(1).max(64).default('marin').describe('output voice'),
    interruptResponse: z
      .boolean()
      .default(false)
      .describe('let the provider cancel responses on speech itself; off: Parley decides barge-in (docs/ARCHITECTURE.md#barge-in)'),
    appendBatchMs: int(20, 100).default(40).describe('caller audio batched per input_audio_buffer.append'),
    sendBufferBytes: int(16_384, 16 * 1024 * 1024)
      .default(262_144)
      .describe('AI socket bufferedAmount threshold; caller audio above it is dropped and counted'),
    gapBufferMs: int(0, 30_000)
      .default(2000)
      .describe('caller audio kept while the AI link reconnects; older audio is dropped and counted'),
    connectTimeoutMs: int(500, 120_000).default(10_000).describe('AI connect (socket open + session.created) timeout'),
  })
  .prefault({});

const httpUrl = z.url({ protocol: /^https?$/ });

/** Cascade mode's TTS side (PARLEY_AI=cascade): providers, failover breaker, cache. */
const tts = z
  .strictObject({
    elevenlabsEndpoint: z
      .enum(['multi', 'single', 'http'])
      .default('multi')
      .describe(
        'ElevenLabs endpoint: multi (WebSocket multi-stream-input, two contexts per turn — its sentence and the next asked for ahead — close_context on barge-in), single (WebSocket stream-input, one socket per sentence) or http (POST /v1/text-to-speech/{voice}/stream, one request per sentence; PARLEY_ELEVENLABS_URL with ws(s) read as http(s))',
      ),
    elevenlabsVoice: z.string().min(1).max(64).default('21m00Tcm4TlvDq8ikWAM').describe('ElevenLabs voice id'),
    elevenlabsModel: z.string().min(1).max(64).default('eleven_flash_v2_5').describe('ElevenLabs model id'),
    elevenlabsFormat: z
      .enum(['pcm_8000', 'pcm_16000', 'pcm_24000', 'pcm_48000'])
      .default('pcm_16000')
      .describe("ElevenLabs output format (raw PCM16), resampled to the call's rate by the media resampler"),
    openaiTtsUrl: httpUrl
      .default('https://api.openai.com/v1/audio/speech')
      .describe('OpenAI TTS endpoint, the failover provider (HTTP streaming, PCM16 24 kHz); http:// accepted so local servers can stand in'),
    openaiTtsModel: z.string().min(1).max(64).default('gpt-4o-mini-tts').describe('OpenAI TTS model'),
    openaiTtsVoice: z.string().min(1).max(64).default('alloy').describe('OpenAI TTS voice'),
    failoverThreshold: int(1, 100).default(3).describe('consecutive ElevenLabs failures that switch every call to OpenAI TTS (barge-in aborts never count)'),
    cooldownMs: int(100, 3_600_000).default(30_000).describe('time on the fallback before one sentence probes ElevenLabs again'),
    timeoutMs: int(500, 60_000)
      .default(5000)
      .describe('a TTS request fails when the provider connects, starts or continues its audio slower than this'),
    prefetch: int(0, 1).default(1).describe("sentences asked of the TTS ahead of the one being spoken (1: the next one is generated while the current one plays, so a provider's first-chunk latency is hidden at 1× real time; 0: one at a time)"),
    cacheBytes: int(0, 1024 * 1024 * 1024)
      .default(64 * 1024 * 1024)
      .describe('TTS cache cap for the whole process, bytes (0 disables the cache)'),
    cacheCallBytes: int(0, 256 * 1024 * 1024).default(4 * 1024 * 1024).describe('TTS cache bytes one call may hold'),
    cacheTtlMs: int(1000, 86_400_000).default(3_600_000).describe('TTS cache entry lifetime'),
    dsp: z
      .boolean()
      .optional()
      .describe(
        "the original system's TTS chain on the agent's audio at the telephony rate (DC blocker, noise gate, compressor +6 dB makeup, 3 kHz high shelf, 3.8 kHz low-pass, soft clipper); default true in cascade mode, false otherwise (an explicit value applies in every mode)",
      ),
  })
  .prefault({});

const reconnect = z
  .strictObject({
    delaysMs: z
      .array(int(0, 60_000))
      .min(1)
      .max(20)
      .default([...RECONNECT_BACKOFF_MS])
      .describe('backoff before each reconnect attempt; the last repeats'),
    attempts: int(0, 20).default(DEFAULT_MAX_ATTEMPTS).describe('reconnect attempts per loss before the call gives up'),
    jitter: z.number().min(0).max(1).default(DEFAULT_JITTER).describe('random fraction added to or taken from each delay'),
    giveUpNotice: z
      .enum(['tone', 'none'])
      .default('tone')
      .describe('what the caller hears when the AI link gives up, before the call ends'),
  })
  .prefault({});

const telephony = z
  .strictObject({
    audioStreamRate: z
      .union([z.literal(8000), z.literal(16000)])
      .default(8000)
      .describe('mod_audio_stream PCM rate when the call metadata does not name one'),
    audioStreamBufferMs: int(100, 60_000)
      .default(5000)
      .describe("mod_audio_stream's injection buffer (for heard-position accounting)"),
    audioStreamMinFillMs: int(0, 1000)
      .default(60)
      .describe("mod_audio_stream's minimum fill before it plays; the lookahead must not be below it"),
    audioStreamCushionMs: int(0, 200)
      .default(100)
      .describe('mod_audio_stream: agent audio kept ahead beyond the lookahead, so the module stays above its minimum fill when the AI streams at about real time (the lead is capped at 200 ms)'),
    audiosocketPort: int(0, 65535)
      .optional()
      .describe('TCP port of the Asterisk AudioSocket listener (0: any free port); unset: no listener'),
    audiosocketAllow: z
      .string()
      .default('')
      .describe('AudioSocket: source addresses allowed to connect, comma-separated (empty: loopback only); a raw TCP protocol carries no credential'),
    audiosocketUuidPrefix: z
      .string()
      .regex(/^[0-9a-fA-F-]{0,36}$/)
      .optional()
      .describe("AudioSocket: when set, a call's UUID must start with it (the dialplan chooses the UUID: a shared prefix, readable on the wire)"),
    unflushableJitterMs: int(20, 180)
      .default(20)
      .describe('unflushable far sides (AudioSocket): lead over real time beyond one 20 ms frame; the audio a barge-in cannot recall is at most this lead'),
    reportedCushionMs: int(0, 200)
      .default(40)
      .describe('far sides with play reports (Twilio, Telnyx, Plivo, Exotel, Vonage, chan_websocket): agent audio kept ahead beyond the lookahead, so a delta that arrives a little late when the AI streams at about real time finds audio still queued (the lead is capped at 200 ms)'),
  })
  .prefault({});

const shutdown = z
  .strictObject({
    drainMs: int(0, 3_600_000)
      .default(30_000)
      .describe('on SIGTERM, how long live calls may continue before they are closed'),
  })
  .prefault({});

/** How Parley acts on a call (call control, issue 19): Twilio's REST API, FreeSWITCH's event socket. */
const platform = z
  .strictObject({
    twilioApiUrl: z
      .url({ protocol: /^https?$/ })
      .default('https://api.twilio.com')
      .describe("Twilio REST API base URL for hanging up and transferring calls; http:// accepted so a local stand-in can answer"),
    twilioAccountSid: z
      .string()
      .regex(/^[A-Za-z0-9]{2,64}$/, 'is not an account SID')
      .optional()
      .describe('Twilio account SID for the REST API (in the path; the basic auth user unless an API key is set, the password then PARLEY_TWILIO_AUTH_TOKEN); without it end_call on Twilio only closes the stream'),
    twilioApiKeySid: z
      .string()
      .regex(/^SK[A-Za-z0-9]{2,62}$/, 'is not an API key SID (SK…)')
      .optional()
      .describe("Twilio API key SID (SK…) for the REST API: the basic auth user instead of the account SID (Twilio's recommended credential; the account SID stays in the path)"),
    twilioApiKeySecret: secret
      .optional()
      .describe("the Twilio API key's secret: the basic auth password (secret)"),
    freeswitchEsl: z
      .string()
      .regex(/^[A-Za-z0-9.:[\]_-]+:\d{1,5}$/, 'is not host:port')
      .optional()
      .describe('FreeSWITCH event socket (inbound ESL) host:port; without it audio-stream calls are acted on by a JSON message on the stream'),
    freeswitchEslPassword: secret
      .optional()
      .describe('FreeSWITCH event socket password (secret)'),
    commandTimeoutMs: int(100, 30_000)
      .default(5000)
      .describe('a platform action (REST request, ESL command) fails when it takes longer'),
  })
  .prefault({});

/** The call record (README "Call records"): transcripts, the events webhook, recordings. */
const records = z
  .strictObject({
    eventsUrl: httpUrl
      .optional()
      .describe('events webhook: call.started, call.transcript, call.tool, call.transferred, call.ended POSTed as signed JSON (X-Parley-Signature); unset = no events'),
    eventsDir: z
      .string()
      .min(1)
      .optional()
      .describe('durable events outbox: each event is appended (fsync in batches) before delivery and removed once acknowledged; what a killed process left is delivered on start; unset = in memory only'),
    eventsQueueMax: int(10, 1_000_000)
      .default(10_000)
      .describe('events waiting for delivery per process; beyond it the oldest call.transcript is dropped first (counted), never a call.ended'),
    eventsTimeoutMs: int(100, 120_000).default(5000).describe('an events POST not answered 2xx within this is retried with backoff'),
    eventsOutboxBytes: int(65_536, 4 * 1024 * 1024 * 1024)
      .default(64 * 1024 * 1024)
      .describe('bound of the events outbox on disk; events beyond it are delivered from memory only (counted)'),
    logToolArguments: z.boolean().default(false).describe('include the arguments of each tool call in call.tool events (off: name, latency and outcome only)'),
    recordingDir: z
      .string()
      .min(1)
      .optional()
      .describe('directory for one stereo WAV per call (left caller, right what the caller heard), written as the call goes; unset = no recordings'),
    record: z.boolean().default(true).describe('record calls when recordingDir is set'),
    transcriptionModel: z
      .string()
      .min(1)
      .max(64)
      .default('gpt-4o-mini-transcribe')
      .describe("model transcribing the caller's audio (audio.input.transcription), in every mode"),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    port: int(0, 65_535).default(8080).describe('HTTP port (0 picks a free one)'),
    host: z.string().min(1).default('0.0.0.0').describe('listen address'),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level'),
    authToken: secret
      .optional()
      .describe('when set, telephony upgrades need Authorization: Bearer <token> or ?token= (secret)'),
    twilioAuthToken: secret
      .optional()
      .describe('Twilio account auth token: when set, /twilio upgrades need a valid X-Twilio-Signature (or the bearer token) (secret)'),
    publicUrl: z
      .url({ protocol: /^wss?$/ })
      .optional()
      .describe('base URL Twilio connects to (e.g. wss://parley.example.com), for X-Twilio-Signature behind TLS termination or a proxy; default wss://<Host header>'),
    traceDir: z.string().min(1).optional().describe('directory for one NDJSON trace per call'),
    jsPath: z
      .enum(['lean', 'baseline'])
      .default('lean')
      .describe("the per-message JS work of a call: 'lean'; or 'baseline', the earlier path kept only so the capacity bench's --baseline measures against it in the same run (JSON.stringify per outbound message and ws.send each, a mark per frame rather than per write, every echoed mark a turn-machine step, machine inspection always on)"),
    workers: int(0, 256)
      .default(1)
      .describe('serve processes sharing the port (node:cluster), each a full runtime with its own media thread; 0 = one per core; 1 = a single process, no cluster; PARLEY_MAX_CALLS stays the limit over all of them (the primary admits every call)'),
    webhookSecret: secret
      .optional()
      .describe('key of the X-Parley-Signature HMAC-SHA256 on every HTTP tool request (secret)'),
    limits,
    media,
    ai,
    tts,
    reconnect,
    telephony,
    shutdown,
    platform,
    tools: toolsSchema,
    agents: agentsSchema,
    mcp: mcpSchema,
    callControl: callControlSchema,
    records,
  })
  .superRefine((c, ctx) => {
    for (const name of c.callControl.tools) {
      if (Object.hasOwn(c.tools, name)) ctx.addIssue({ code: 'custom', path: ['tools', name], message: `is a built-in call-control tool (callControl.tools); choose another name` });
    }
    // A Twilio API key: both halves, and the account whose calls it acts on (its SID is in the path).
    if (c.platform.twilioApiKeySid && !c.platform.twilioApiKeySecret) {
      ctx.addIssue({ code: 'custom', path: ['platform', 'twilioApiKeySecret'], message: 'is required when platform.twilioApiKeySid is set' });
    }
    if (c.platform.twilioApiKeySecret && !c.platform.twilioApiKeySid) {
      ctx.addIssue({ code: 'custom', path: ['platform', 'twilioApiKeySid'], message: 'is required when platform.twilioApiKeySecret is set' });
    }
    if (c.platform.twilioApiKeySid && !c.platform.twilioAccountSid) {
      ctx.addIssue({ code: 'custom', path: ['platform', 'twilioAccountSid'], message: 'is required with an API key (the calls are the account\'s: its SID is in the request path)' });
    }
    if (c.platform.freeswitchEsl && !c.platform.freeswitchEslPassword) {
      ctx.addIssue({ code: 'custom', path: ['platform', 'freeswitchEslPassword'], message: 'is required when platform.freeswitchEsl is set' });
    }
    if (c.media.lookaheadMs < c.telephony.audioStreamMinFillMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['media', 'lookaheadMs'],
        message: `must be at least telephony.audioStreamMinFillMs (${c.telephony.audioStreamMinFillMs})`,
      });
    }
    // Frames of the ticks between two wake-ups wait in Parley: the lead at the far side must outlast them.
    const wake = c.media.wakeEveryTicks; // checked only in range: an out-of-range value has its own message
    if (Number.isInteger(wake) && wake >= 1 && wake <= MAX_WAKE_EVERY_TICKS && c.media.lookaheadMs <= wake * FRAME_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['media', 'wakeEveryTicks'],
        message: `must be below media.lookaheadMs / ${FRAME_MS} ms (${c.media.lookaheadMs} ms: accepted 1..${Math.min(MAX_WAKE_EVERY_TICKS, Math.ceil(c.media.lookaheadMs / FRAME_MS) - 1)})`,
      });
    }
    // A stand-in server (PARLEY_OPENAI_URL) may need no key; OpenAI itself always does.
    // (The URL may be invalid here: zod runs this refinement even when the field failed.)
    if (c.ai.mode === 'openai' && !c.ai.openaiApiKey && URL.canParse(c.ai.openaiUrl) && new URL(c.ai.openaiUrl).hostname === 'api.openai.com') {
      ctx.addIssue({ code: 'custom', path: ['ai', 'openaiApiKey'], message: 'is required when ai.mode is openai against api.openai.com' });
    }
    // A profile may list only tools the `tools:` map declares, or a built-in `callControl.tools` enables.
    // MCP tools are `server.tool`, of a server the `mcp:` map declares.
    const mcpServers = Object.keys((c as { mcp?: Record<string, unknown> }).mcp ?? {});
    for (const [name, a] of Object.entries(c.agents)) {
      a.tools.forEach((t, i) => {
        const builtin = (c.callControl.tools as readonly string[]).includes(t);
        if (!(t in c.tools) && !builtin && !mcpServers.includes(t.split('.')[0]!)) {
          const known = [...Object.keys(c.tools), ...c.callControl.tools, ...mcpServers.map((s) => `${s}.<tool>`)];
          ctx.addIssue({ code: 'custom', path: ['agents', name, 'tools', i], message: `no tool named '${t.slice(0, 64)}' in tools:; accepted: ${known.length ? known.join(', ') : '(no tools are declared)'}` });
        }
      });
    }
    if (c.ai.mode === 'cascade') {
      if (!c.ai.openaiApiKey) ctx.addIssue({ code: 'custom', path: ['ai', 'openaiApiKey'], message: 'is required when ai.mode is cascade' });
      if (!c.ai.elevenlabsApiKey)
        ctx.addIssue({ code: 'custom', path: ['ai', 'elevenlabsApiKey'], message: 'is required when ai.mode is cascade' });
    }
  });

/** What the file and the environment may say (every field optional). */
export type ConfigInput = z.input<typeof configSchema>;

type Parsed = z.output<typeof configSchema>;
/** The validated configuration; `ai.mode` and `tts.dsp` are always resolved. */
export type ParleyConfig = Omit<Parsed, 'ai' | 'tts'> & {
  readonly ai: Omit<Parsed['ai'], 'mode'> & { readonly mode: 'openai' | 'cascade' | 'local' };
  readonly tts: Omit<Parsed['tts'], 'dsp'> & { readonly dsp: boolean };
};
