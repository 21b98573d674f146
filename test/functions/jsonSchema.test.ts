// The JSON Schema subset: schemas refused at start (unknown keyword, bad type, too deep, too
// big, top level not an object) and values validated against accepted ones.
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, MAX_NODES, checkSchema, validate } from '../../src/functions/jsonSchema.js';

const ORDER = {
  type: 'object',
  properties: {
    order: { type: 'string', pattern: '^[0-9]+$', maxLength: 8 },
    qty: { type: 'integer', minimum: 1, maximum: 9 },
    tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, maxItems: 2 },
    gift: { type: ['boolean', 'null'] },
  },
  required: ['order'],
  additionalProperties: false,
};

describe('tool parameter schemas', () => {
  it('accepts the supported subset', () => {
    expect(checkSchema(ORDER)).toEqual([]);
    expect(checkSchema({ type: 'object' })).toEqual([]);
  });

  it('refuses what it would not enforce or cannot bound', () => {
    expect(checkSchema({ type: 'string' })).toEqual(['must be a JSON Schema with type "object" at the top level']);
    expect(checkSchema({ type: 'object', properties: { a: { type: 'string', oneOf: [] } } })).toEqual([".a: unsupported keyword 'oneOf'"]);
    expect(checkSchema({ type: 'object', properties: { a: { type: 'text' } } })).toEqual(['.a: unknown type "text"']);
    expect(checkSchema({ type: 'object', properties: { a: { type: 'string', pattern: '(' } } })).toEqual(['.a: pattern is not a valid regular expression']);
    expect(checkSchema({ type: 'object', properties: { a: { type: 'string', maxLength: -1 } } })).toEqual(['.a: maxLength must be a non-negative integer']);
    let deep: Record<string, unknown> = { type: 'object' };
    for (let i = 0; i < MAX_DEPTH + 1; i++) deep = { type: 'object', properties: { x: deep } };
    expect(checkSchema(deep).join()).toMatch(/nested deeper than/);
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: MAX_NODES + 1 }, (_, i) => [`p${i}`, { type: 'string' }])) };
    expect(checkSchema(wide)).toEqual([`more than ${MAX_NODES} schema nodes`]);
  });

  it('validates arguments', () => {
    expect(validate(ORDER, { order: '123', qty: 2, tags: ['a'], gift: null })).toEqual([]);
    expect(validate(ORDER, {})).toEqual(['.order: required']);
    expect(validate(ORDER, { order: 'x1' })).toEqual(['.order: does not match the pattern']);
    expect(validate(ORDER, { order: '1', qty: 1.5 })).toEqual(['.qty: expected integer, got number']);
    expect(validate(ORDER, { order: '1', qty: 10 })).toEqual(['.qty: above 9']);
    expect(validate(ORDER, { order: '1', tags: ['c'] })).toEqual(['.tags[0]: not one of the allowed values']);
    expect(validate(ORDER, { order: '1', tags: ['a', 'b', 'a'] })).toEqual(['.tags: more than 2 items']);
    expect(validate(ORDER, { order: '1', extra: true })).toEqual(['.extra: not allowed']);
    expect(validate(ORDER, [])).toEqual(['(root): expected object, got array']);
  });
});
