// SignalWire cXML <Connect><Stream> (bidirectional) inbound messages → typed events
// (REFERENCE.md). SignalWire's Compatibility API speaks Twilio Media Streams' messages, so the
// shape is Twilio's under SignalWire's id; its default codec (PCMU@8000h) is the one accepted.
import type { DecoderOptions } from '../types.js';
import { reject } from '../frames.js';
import { isRejection } from '../fields.js';
import { JsonStreamDecoder, type JsonStreamShape } from '../json-stream.js';
import { TWILIO_SHAPE } from '../twilio/decoder.js';

export const SIGNALWIRE_SHAPE: JsonStreamShape = {
  ...TWILIO_SHAPE,
  protocol: 'signalwire',
  name: 'SignalWire streams',
  readStart(msg) {
    const start = TWILIO_SHAPE.readStart(msg);
    if (!isRejection(start) || start.reason !== 'unsupported_format') return start;
    return reject('unsupported_format', `${start.detail}: leave the <Stream> codec attribute at its default, PCMU@8000h`);
  },
};

export class SignalWireDecoder extends JsonStreamDecoder {
  constructor(options: DecoderOptions) {
    super(SIGNALWIRE_SHAPE, options);
  }
}
