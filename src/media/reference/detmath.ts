// Deterministic elementary functions: the twin of native/src/core/dsp/detmath.cc.
// Same operations in the same order, so both languages produce the same doubles (V8's and
// glibc's Math functions differ in the last ulp). Keep the two files in step.

export const PI = 3.141592653589793;
export const LN2 = 0.6931471805599453;
export const LOG2_10 = 3.321928094887362;
export const LOG2_E = 1.4426950408889634;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian: [low word, high word]

/** 2^k for an integer k in [-1022, 1023], built from the bit pattern (exact). */
function pow2i(k: number): number {
  u32[0] = 0;
  u32[1] = (k + 1023) << 20;
  return f64[0]!;
}

const TWO_OVER_PI = 0.6366197723675814;
const P1 = 1.5707963267341256;
const P2 = 6.077100506303966e-11;
const P3 = 2.0222662487959506e-21;

function sinPoly(r: number): number {
  const z = r * r;
  let p = 1 / 355687428096000;
  p = p * z - 1 / 1307674368000;
  p = p * z + 1 / 6227020800;
  p = p * z - 1 / 39916800;
  p = p * z + 1 / 362880;
  p = p * z - 1 / 5040;
  p = p * z + 1 / 120;
  p = p * z - 1 / 6;
  return r + r * (z * p);
}

function cosPoly(r: number): number {
  const z = r * r;
  let p = 1 / 6402373705728000;
  p = p * z - 1 / 20922789888000;
  p = p * z + 1 / 87178291200;
  p = p * z - 1 / 479001600;
  p = p * z + 1 / 3628800;
  p = p * z - 1 / 40320;
  p = p * z + 1 / 720;
  p = p * z - 1 / 24;
  p = p * z + 0.5;
  return 1 - z * p;
}

/** Reduces x by pi/2: returns [r, q] with x = q*pi/2 + r (q mod 4). */
function reduce(x: number): [number, number] {
  const k = Math.floor(x * TWO_OVER_PI + 0.5);
  const r = x - k * P1 - k * P2 - k * P3;
  const m = k - 4 * Math.floor(k / 4);
  return [r, m];
}

/** 2^x for x in about [-1020, 1020]; saturates to 0 / Infinity outside. */
export function exp2(x: number): number {
  if (x !== x) return x;
  if (x > 1020) return Infinity;
  if (x < -1020) return 0;
  const k = Math.floor(x + 0.5);
  const t = (x - k) * LN2;
  let p = 1 / 87178291200;
  p = p * t + 1 / 6227020800;
  p = p * t + 1 / 479001600;
  p = p * t + 1 / 39916800;
  p = p * t + 1 / 3628800;
  p = p * t + 1 / 362880;
  p = p * t + 1 / 40320;
  p = p * t + 1 / 5040;
  p = p * t + 1 / 720;
  p = p * t + 1 / 120;
  p = p * t + 1 / 24;
  p = p * t + 1 / 6;
  p = p * t + 0.5;
  p = p * t + 1;
  p = p * t + 1;
  return p * pow2i(k);
}

// splitLog2's results, in module variables so that the hot path allocates nothing.
let splitE = 0;
let splitSpecial = false;

/**
 * log2(x) = e + ln(m) / ln 2 with m in [sqrt(1/2), sqrt(2)): returns s = (m - 1) / (m + 1)
 * and sets splitE = e; for x <= 0, NaN and Infinity sets splitSpecial and returns log2(x).
 */
function splitLog2(x: number): number {
  splitSpecial = true;
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  if (x === Infinity) return x;
  splitSpecial = false;
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x = x * 18014398509481984; // 2^54
    e = -54;
  }
  f64[0] = x;
  const hi = u32[1]!;
  e += ((hi >>> 20) & 0x7ff) - 1022;
  u32[1] = (hi & 0x000fffff) | 0x3fe00000;
  let m = f64[0]!;
  if (m < 0.7071067811865476) {
    m = m * 2;
    e = e - 1;
  }
  splitE = e;
  return (m - 1) / (m + 1);
}

/** log2(x) for finite x > 0; -Infinity for 0, NaN for negatives. */
export function log2(x: number): number {
  const s = splitLog2(x);
  if (splitSpecial) return s;
  const e = splitE;
  const z = s * s;
  let p = 1 / 25;
  p = p * z + 1 / 23;
  p = p * z + 1 / 21;
  p = p * z + 1 / 19;
  p = p * z + 1 / 17;
  p = p * z + 1 / 15;
  p = p * z + 1 / 13;
  p = p * z + 1 / 11;
  p = p * z + 1 / 9;
  p = p * z + 1 / 7;
  p = p * z + 1 / 5;
  p = p * z + 1 / 3;
  p = p * z + 1;
  const lnM = 2 * s * p;
  return e + lnM / LN2;
}

// The coarse pair evaluates its polynomials in Estrin's form (independent pairs combined by
// powers of the argument): the same operations as the native twin.

/** log2 with the series to s^11 (~1e-10 relative): for control signals computed often. */
export function coarseLog2(x: number): number {
  const s = splitLog2(x);
  if (splitSpecial) return s;
  const e = splitE;
  const z = s * s;
  const z2 = z * z;
  const z4 = z2 * z2;
  const p = 1 + z * (1 / 3) + z2 * (1 / 5 + z * (1 / 7)) + z4 * (1 / 9 + z * (1 / 11));
  return e + 2 * s * p * LOG2_E;
}

/** exp2 with the Taylor series to t^8 (~2e-10 relative): for control signals computed often. */
export function coarseExp2(x: number): number {
  if (x !== x) return x;
  if (x > 1020) return Infinity;
  if (x < -1020) return 0;
  const k = Math.floor(x + 0.5);
  const t = (x - k) * LN2;
  const t2 = t * t;
  const t4 = t2 * t2;
  const lo = 1 + t + t2 * (0.5 + t * (1 / 6));
  const hi = 1 / 24 + t * (1 / 120) + t2 * (1 / 720 + t * (1 / 5040)) + t4 * (1 / 40320);
  return (lo + t4 * hi) * pow2i(k);
}

export function sin(x: number): number {
  const [r, q] = reduce(x);
  switch (q) {
    case 0:
      return sinPoly(r);
    case 1:
      return cosPoly(r);
    case 2:
      return -sinPoly(r);
    default:
      return -cosPoly(r);
  }
}

export function cos(x: number): number {
  const [r, q] = reduce(x);
  switch (q) {
    case 0:
      return cosPoly(r);
    case 1:
      return -sinPoly(r);
    case 2:
      return -cosPoly(r);
    default:
      return sinPoly(r);
  }
}

export function pow10(x: number): number {
  return exp2(x * LOG2_10);
}

export function exp(x: number): number {
  return exp2(x * LOG2_E);
}

/** Zeroth-order modified Bessel function of the first kind (Kaiser window). */
export function besselI0(x: number): number {
  const h = x / 2;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; ++k) {
    const f = h / k;
    term = term * (f * f);
    const next = sum + term;
    if (next === sum) break;
    sum = next;
  }
  return sum;
}

export function dbToGain(db: number): number {
  return pow10(db / 20);
}

export function gainToDb(g: number): number {
  return (20 * log2(g)) / LOG2_10;
}
