// Asterisk chan_websocket: control events in both formats (plain text and JSON), media as
// binary frames, and the commands Parley sends (MARK_MEDIA, FLUSH_MEDIA, HANGUP).
import { describe, expect, it } from 'vitest';
import { AsteriskDecoder } from '../../src/telephony/asterisk/decoder.js';
import { AsteriskEncoder } from '../../src/telephony/asterisk/encoder.js';
import { parseControl } from '../../src/telephony/asterisk/control.js';
import type { CallStart } from '../../src/telephony/types.js';
import { events, reason, text } from './decode-helpers.js';

// MEDIA_START as the driver prints it (channels/chan_websocket.c, _create_event_MEDIA_START).
const PLAIN_START = 'MEDIA_START connection_id:abc-123 channel:WebSocket/abc-123/0x7f00 channel_id:1733500000.42 format:ulaw optimal_frame_size:160 ptime:20';
const JSON_START = {
  event: 'MEDIA_START',
  connection_id: 'abc-123',
  channel: 'WebSocket/abc-123/0x7f00',
  channel_id: '1733500000.42',
  format: 'slin16',
  optimal_frame_size: 640,
  ptime: 20,
  channel_variables: { TENANT: 'acme' },
};
const decoder = () => new AsteriskDecoder({ maxMessageBytes: 64 * 1024 });

describe('chan_websocket control messages', () => {
  it('parse in both formats', () => {
    expect(parseControl(PLAIN_START)).toMatchObject({ event: 'MEDIA_START', format: 'plain-text', fields: { format: 'ulaw', channel_id: '1733500000.42' } });
    expect(parseControl('MEDIA_MARK_PROCESSED 1.2.3')).toMatchObject({ event: 'MEDIA_MARK_PROCESSED', arg: '1.2.3' });
    expect(parseControl('ERROR channel_id:1.2 error_text:FLUSH_MEDIA not supported in passthrough mode')?.fields['error_text']).toBe('FLUSH_MEDIA not supported in passthrough mode');
    expect(parseControl('{"event":"MEDIA_MARK_PROCESSED","channel_id":"1.2","correlation_id":"1.2.3"}')).toMatchObject({ format: 'json', arg: '1.2.3' });
    expect(parseControl('hello world')).toBeUndefined();
  });
});

describe('Asterisk decoder', () => {
  it('opens the call on MEDIA_START, then takes media, marks, DTMF and flow-control events', () => {
    const d = decoder();
    const [start] = events(d.decode(text(PLAIN_START), false));
    expect(start).toMatchObject({ kind: 'start', callId: '1733500000.42', streamId: 'abc-123', format: { codec: 'mulaw', rate: 8000 }, metadata: { controlFormat: 'plain-text' } });
    const frame = Buffer.alloc(160, 0xff);
    expect(events(d.decode(frame, true))).toEqual([{ kind: 'media', payload: frame, seq: 1, timestampMs: 0 }]);
    expect(events(d.decode(frame, true))[0]).toMatchObject({ seq: 2, timestampMs: 20 });
    expect(events(d.decode(text('MEDIA_MARK_PROCESSED 1.2.3'), false))).toEqual([{ kind: 'mark', name: '1.2.3' }]);
    expect(events(d.decode(text('DTMF_END digit:7 channel_id:1733500000.42'), false))).toEqual([{ kind: 'dtmf', digit: '7' }]);
    for (const info of ['MEDIA_XOFF', 'MEDIA_XON', 'QUEUE_DRAINED']) expect(events(d.decode(text(info), false))[0]).toMatchObject({ kind: 'text', text: info });
  });

  it('reads the JSON control format, its channel variables and slin16', () => {
    const [start] = events(decoder().decode(text(JSON_START), false));
    expect(start).toMatchObject({ format: { codec: 'pcm16', rate: 16000 }, customParameters: { TENANT: 'acme' }, metadata: { controlFormat: 'json' } });
  });

  it('refuses codecs the core lacks and frame timings other than 20 ms', () => {
    for (const f of ['g722', 'opus', 'slin48']) expect(reason(decoder().decode(text(PLAIN_START.replace('format:ulaw', `format:${f}`)), false))).toBe('unsupported_format');
    expect(reason(decoder().decode(text(PLAIN_START.replace('ptime:20', 'ptime:30')), false))).toBe('unsupported_format');
  });

  it('refuses malformed input by reason', () => {
    const d = decoder();
    expect(reason(d.decode(Buffer.alloc(160), true))).toBe('media_before_start');
    expect(reason(d.decode(text('MEDIA_MARK_PROCESSED 1'), false))).toBe('event_before_start');
    expect(reason(d.decode(text('not an event'), false))).toBe('unknown_event');
    expect(reason(d.decode(text('{"event": 1'), false))).toBe('bad_json');
    expect(reason(d.decode(text('MEDIA_START channel_id:x'), false))).toBe('missing_field');
    events(d.decode(text(PLAIN_START), false));
    expect(reason(d.decode(text(PLAIN_START), false))).toBe('duplicate_start');
    expect(reason(d.decode(Buffer.alloc(0), true))).toBe('empty_audio');
    expect(reason(d.decode(text('MEDIA_MARK_PROCESSED'), false))).toBe('missing_field');
    expect(reason(d.decode(text('DTMF_END digit:Z channel_id:1'), false))).toBe('wrong_type');
    expect(reason(d.decode(text('SOMETHING_NEW'), false))).toBe('unknown_event');
  });
});

describe('Asterisk encoder', () => {
  const start = (controlFormat: string): CallStart => ({ kind: 'start', callId: 'c', streamId: 's', format: { codec: 'mulaw', rate: 8000 }, customParameters: {}, metadata: { controlFormat }, implicit: false });

  it('sends media as a binary frame, MARK_MEDIA after it, FLUSH_MEDIA and HANGUP as plain text', () => {
    const e = new AsteriskEncoder(start('plain-text'));
    const frame = Buffer.alloc(160, 0xff);
    expect(e.audio(frame, '1.2.3')).toEqual([frame, 'MARK_MEDIA 1.2.3']);
    expect(e.clear()).toEqual(['FLUSH_MEDIA']);
    expect(e.goodbye()).toEqual(['HANGUP']);
  });

  it('answers in JSON when the driver speaks JSON', () => {
    const e = new AsteriskEncoder(start('json'));
    expect(JSON.parse(e.audio(Buffer.alloc(160), '1.2.3')[1] as string)).toEqual({ command: 'MARK_MEDIA', correlation_id: '1.2.3' });
    expect(JSON.parse(e.clear()[0]!)).toEqual({ command: 'FLUSH_MEDIA' });
  });
});
