// Client → server events of OpenAI Realtime GA (docs/reference/openai-realtime.md#client-events),
// built from typed inputs.
import type { AiSessionConfig } from '../types.js';
import { toGaFormat } from './formats.js';

export function sessionUpdate(cfg: AiSessionConfig): Record<string, unknown> {
  const vad = cfg.turnDetection;
  const turnDetection =
    vad === null
      ? null
      : vad.type === 'semantic_vad'
        ? {
            type: 'semantic_vad',
            ...(vad.eagerness !== undefined ? { eagerness: vad.eagerness } : {}),
            create_response: vad.createResponse ?? true,
            interrupt_response: vad.interruptResponse,
          }
        : {
          type: 'server_vad',
          ...(vad.threshold !== undefined ? { threshold: vad.threshold } : {}),
          ...(vad.prefixPaddingMs !== undefined ? { prefix_padding_ms: vad.prefixPaddingMs } : {}),
          ...(vad.silenceDurationMs !== undefined ? { silence_duration_ms: vad.silenceDurationMs } : {}),
          create_response: vad.createResponse ?? true,
          interrupt_response: vad.interruptResponse,
        };
  return {
    type: 'session.update',
    session: {
      type: 'realtime',
      output_modalities: ['audio'],
      ...(cfg.instructions !== undefined ? { instructions: cfg.instructions } : {}),
      ...(cfg.tools !== undefined && cfg.tools.length > 0 ? { tools: cfg.tools, tool_choice: 'auto' } : {}),
      audio: {
        input: {
          format: toGaFormat(cfg.inputFormat),
          turn_detection: turnDetection,
          ...(cfg.transcription !== undefined
            ? { transcription: cfg.transcription === null ? null : { model: cfg.transcription.model, ...(cfg.transcription.language ? { language: cfg.transcription.language } : {}) } }
            : {}),
        },
        output: { format: toGaFormat(cfg.outputFormat), ...(cfg.voice !== undefined ? { voice: cfg.voice } : {}) },
      },
    },
  };
}

export const append = (audio: Buffer) => ({ type: 'input_audio_buffer.append', audio: audio.toString('base64') });

const APPEND_HEAD = '{"type":"input_audio_buffer.append","audio":"';
const APPEND_MID = '","event_id":"';

/**
 * The append as the text frame's bytes, written straight into one buffer: the same bytes as
 * JSON.stringify({ ...append(audio), event_id }) (base64 and an ASCII event id need no escaping),
 * without the stringify pass over the audio and the string's re-encoding on send. Appends are
 * the bulk of what Parley sends the AI (about 25 a second per call).
 */
export function appendBytes(audio: Buffer, eventId: string): Buffer {
  const b64 = audio.toString('base64');
  const n = APPEND_HEAD.length + b64.length + APPEND_MID.length + eventId.length + 2;
  const out = Buffer.allocUnsafe(n);
  let o = out.write(APPEND_HEAD, 0, 'latin1');
  o += out.write(b64, o, 'latin1');
  o += out.write(APPEND_MID, o, 'latin1');
  o += out.write(eventId, o, 'latin1');
  out.write('"}', o, 'latin1');
  return out;
}
export const commit = () => ({ type: 'input_audio_buffer.commit' });
export const responseCreate = (instructions?: string) => ({
  type: 'response.create',
  ...(instructions !== undefined ? { response: { instructions } } : {}),
});
export const responseCancel = (responseId?: string) => ({ type: 'response.cancel', ...(responseId !== undefined ? { response_id: responseId } : {}) });
export const truncate = (itemId: string, audioEndMs: number) => ({
  type: 'conversation.item.truncate',
  item_id: itemId,
  content_index: 0,
  audio_end_ms: audioEndMs,
});
