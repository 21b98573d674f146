// Hostile building blocks shared by the protocol generators (bench/_fuzz-*.ts): JSON values of
// every type, JSON literals where an object belongs, huge strings, deep nesting, text-level
// damage (truncation, stray bytes), and base64 that is almost right. Cheap to generate: a
// million inputs per protocol must run in the bench.
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A string far above any field's sensible size (built by repeat, not generated char by char). */
export const hugeString = (min = 1000, max = 80_000): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min, max }), fc.constantFrom('x', 'é', '\u0000', '"', '\\', '𝄞')).map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` deep, as text (JSON.parse must not fall over). */
export const deepNestingText = (maxDepth = 20_000): fc.Arbitrary<string> =>
  fc.tuple(fc.integer({ min: 50, max: maxDepth }), fc.boolean()).map(([d, arr]) => (arr ? `${'['.repeat(d)}${']'.repeat(d)}` : `${'{"a":'.repeat(d)}1${'}'.repeat(d)}`));

/** Values of the wrong kind for any field: the JSON literals and odd numbers first. */
export const wrongValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, 0, -1, 1.5, 1e308, -0, true, false, '', ' ', '0', 'null', [], {}, [null], { '': null }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12 }),
  fc.array(fc.integer(), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 }),
);

/** Any JSON value, bounded in size, including the hostile scalars above. */
export const anyJson: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    wrongValue,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 4 }),
  ),
})).v;

/** Text that is not a JSON object: literals, arrays, garbage, deep nesting. */
export const notAnObjectText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('null', '0', 'true', '"event"', '[]', '[1,2,3]', '1e999', '-', '', ' ', '{', '}', '{"event":}', '\u0000', '\ufeff{}'),
  fc.string({ maxLength: 40 }),
  anyJson.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)).map((v) => JSON.stringify(v)),
  deepNestingText(),
);

/** Damage to serialized text: cut, stray character, swapped byte, duplicated slice. */
export function damageText(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(text, fc.nat(), fc.nat({ max: 3 }), fc.constantFrom('"', '}', ']', ',', ':', '\\', '\u0000', '\ud800', '{', 'x')).map(([t, at, how, ch]) => {
    const i = t.length === 0 ? 0 : at % t.length;
    switch (how) {
      case 0:
        return t.slice(0, i); // truncated
      case 1:
        return `${t.slice(0, i)}${ch}${t.slice(i)}`; // stray character
      case 2:
        return `${t.slice(0, i)}${ch}${t.slice(i + 1)}`; // replaced character
      default:
        return `${t.slice(0, i)}${t.slice(Math.max(0, i - 8), i)}${t.slice(i)}`; // duplicated slice
    }
  });
}

/**
 * `min..max` pseudo-random bytes from a generated length and seed (fc.uint8Array draws every
 * byte separately: far too slow for a million kilobyte-sized inputs). Shrinks by length.
 */
export const bytes = (max: number, min = 0): fc.Arbitrary<Buffer> =>
  fc.tuple(fc.integer({ min, max }), fc.integer()).map(([n, seed]) => {
    const b = Buffer.allocUnsafe(n);
    let x = seed | 1;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = x & 0xff;
    }
    return b;
  });

/** Canonical padded base64 of min..max random bytes. */
export const base64Of = (maxBytes: number, minBytes = 1): fc.Arbitrary<string> => bytes(maxBytes, minBytes).map((b) => b.toString('base64'));

/** Base64 that a lenient decoder would take but a strict one must refuse. */
export const badBase64: fc.Arbitrary<string> = fc.tuple(base64Of(320, 3), fc.nat(), fc.nat({ max: 6 })).map(([s, at, how]) => {
  const i = at % s.length;
  switch (how) {
    case 0:
      return `${s.slice(0, i)}!${s.slice(i)}`; // junk character
    case 1:
      return s.replace(/=+$/, '') + (s.endsWith('=') ? '' : 'A'); // padding removed / length not a multiple of 4
    case 2:
      return s.replace(/\+/g, '-').replace(/\//g, '_') + (/[+/]/.test(s) ? '' : '-AAA'); // URL alphabet
    case 3:
      return `${s.slice(0, i)} ${s.slice(i + 1)}`; // whitespace inside
    case 4:
      return `${s}====`; // extra padding
    case 5:
      return `=${s.slice(1)}`; // padding first
    default:
      return s.slice(0, Math.max(1, i)).padEnd(Math.max(4, i + (4 - (i % 4))), '@'); // truncated + junk
  }
});

/** Object-level damage to a valid message: a key removed, a value of the wrong type, an extra key. */
export function mutateObject(valid: fc.Arbitrary<Record<string, Json>>): fc.Arbitrary<Record<string, Json>> {
  return fc.tuple(valid, fc.nat(), fc.nat({ max: 3 }), wrongValue, fc.string({ maxLength: 10 })).map(([o, at, how, v, extraKey]) => {
    const copy = structuredClone(o);
    // Pick a container (the object or one of its object-valued fields) and a key in it.
    const containers: Record<string, Json>[] = [copy];
    for (const x of Object.values(copy)) if (x && typeof x === 'object' && !Array.isArray(x)) containers.push(x);
    const c = containers[at % containers.length]!;
    const keys = Object.keys(c);
    const k = keys[at % Math.max(1, keys.length)];
    if (how === 0 && k !== undefined) delete c[k];
    else if (how === 1 && k !== undefined) c[k] = v;
    else if (how === 2) c[extraKey] = v;
    else if (k !== undefined) c[k] = typeof c[k] === 'string' ? (c[k] as string).repeat(3) : String(c[k]);
    return copy;
  });
}
