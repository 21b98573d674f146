// See detmath.h. Every expression here has a twin in src/media/reference/detmath.ts;
// keep the evaluation order identical when editing either.
#include "core/dsp/detmath.h"

#include <bit>
#include <cmath>
#include <cstdint>

namespace parley::dsp::detmath {
namespace {

// 2^k for an integer k in [-1022, 1023], built from the bit pattern (exact).
double pow2i(int k) { return std::bit_cast<double>(static_cast<uint64_t>(k + 1023) << 52); }

// Reduces x to r in [-pi/4, pi/4] and the quadrant q (mod 4) with x = q*pi/2 + r.
// pi/2 is split in three parts; the first two have few enough bits that q*part is exact.
void reduce_half_pi(double x, double& r, int& q) {
  constexpr double kTwoOverPi = 0.63661977236758134308;
  constexpr double kP1 = 1.5707963267341256e+00;  // first 33 bits of pi/2
  constexpr double kP2 = 6.077100506303966e-11;   // next 33 bits
  constexpr double kP3 = 2.0222662487959506e-21;  // remainder
  const double k = std::floor(x * kTwoOverPi + 0.5);
  r = ((x - k * kP1) - k * kP2) - k * kP3;
  const double m = k - 4.0 * std::floor(k / 4.0);  // k mod 4 in [0, 4)
  q = static_cast<int>(m);
}

// Taylor polynomials on [-pi/4, pi/4], Horner form (terms to x^17 / x^18).
double sin_poly(double r) {
  const double z = r * r;
  double p = 1.0 / 355687428096000.0;  // 1/17!
  p = p * z - 1.0 / 1307674368000.0;   // 1/15!
  p = p * z + 1.0 / 6227020800.0;      // 1/13!
  p = p * z - 1.0 / 39916800.0;        // 1/11!
  p = p * z + 1.0 / 362880.0;          // 1/9!
  p = p * z - 1.0 / 5040.0;            // 1/7!
  p = p * z + 1.0 / 120.0;             // 1/5!
  p = p * z - 1.0 / 6.0;               // 1/3!
  return r + r * (z * p);
}

double cos_poly(double r) {
  const double z = r * r;
  double p = 1.0 / 6402373705728000.0;  // 1/18!
  p = p * z - 1.0 / 20922789888000.0;   // 1/16!
  p = p * z + 1.0 / 87178291200.0;      // 1/14!
  p = p * z - 1.0 / 479001600.0;        // 1/12!
  p = p * z + 1.0 / 3628800.0;          // 1/10!
  p = p * z - 1.0 / 40320.0;            // 1/8!
  p = p * z + 1.0 / 720.0;              // 1/6!
  p = p * z - 1.0 / 24.0;               // 1/4!
  p = p * z + 0.5;                      // 1/2!
  return 1.0 - z * p;
}

}  // namespace

double exp2(double x) {
  if (!(x == x)) return x;  // NaN
  if (x > 1020.0) return INFINITY;
  if (x < -1020.0) return 0.0;
  const double k = std::floor(x + 0.5);
  const double t = (x - k) * kLn2;  // |t| <= ln2/2
  // e^t, Taylor to t^14.
  double p = 1.0 / 87178291200.0;  // 1/14!
  p = p * t + 1.0 / 6227020800.0;
  p = p * t + 1.0 / 479001600.0;
  p = p * t + 1.0 / 39916800.0;
  p = p * t + 1.0 / 3628800.0;
  p = p * t + 1.0 / 362880.0;
  p = p * t + 1.0 / 40320.0;
  p = p * t + 1.0 / 5040.0;
  p = p * t + 1.0 / 720.0;
  p = p * t + 1.0 / 120.0;
  p = p * t + 1.0 / 24.0;
  p = p * t + 1.0 / 6.0;
  p = p * t + 0.5;
  p = p * t + 1.0;
  p = p * t + 1.0;
  return p * pow2i(static_cast<int>(k));
}

namespace {

// log2(x) = e + ln(m) / ln 2 with m in [sqrt(1/2), sqrt(2)); s = (m - 1) / (m + 1). Returns
// false (and the result in `special`) for x <= 0, NaN and infinity.
bool split_log2(double x, int& e, double& s, double& special) {
  if (!(x > 0.0)) {
    special = x == 0.0 ? -INFINITY : NAN;
    return false;
  }
  if (x == INFINITY) {
    special = x;
    return false;
  }
  e = 0;
  if (x < 2.2250738585072014e-308) {  // subnormal: scale into the normal range first
    x = x * 18014398509481984.0;     // 2^54
    e = -54;
  }
  const uint64_t bits = std::bit_cast<uint64_t>(x);
  e += static_cast<int>((bits >> 52) & 0x7ff) - 1022;
  // Mantissa with the exponent of 0.5: m in [0.5, 1).
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3fe0000000000000ULL);
  if (m < 0.70710678118654752440) {
    m = m * 2.0;
    e = e - 1;
  }
  s = (m - 1.0) / (m + 1.0);
  return true;
}

}  // namespace

double log2(double x) {
  int e = 0;
  double s = 0.0, special = 0.0;
  if (!split_log2(x, e, s, special)) return special;
  // ln(m) = 2*atanh(s), |s| <= 0.1716: series to s^25.
  const double z = s * s;
  double p = 1.0 / 25.0;
  p = p * z + 1.0 / 23.0;
  p = p * z + 1.0 / 21.0;
  p = p * z + 1.0 / 19.0;
  p = p * z + 1.0 / 17.0;
  p = p * z + 1.0 / 15.0;
  p = p * z + 1.0 / 13.0;
  p = p * z + 1.0 / 11.0;
  p = p * z + 1.0 / 9.0;
  p = p * z + 1.0 / 7.0;
  p = p * z + 1.0 / 5.0;
  p = p * z + 1.0 / 3.0;
  p = p * z + 1.0;
  const double ln_m = 2.0 * s * p;
  return static_cast<double>(e) + ln_m / kLn2;
}

// The coarse pair evaluates its polynomials in Estrin's form (independent pairs combined by
// powers of the argument): the same operations in both twins, a third of Horner's latency.
double coarse_log2(double x) {
  int e = 0;
  double s = 0.0, special = 0.0;
  if (!split_log2(x, e, s, special)) return special;
  // As log2, series to s^11 (the next term is below 1e-10 of the sum).
  const double z = s * s;
  const double z2 = z * z;
  const double z4 = z2 * z2;
  const double p = ((1.0 + z * (1.0 / 3.0)) + z2 * (1.0 / 5.0 + z * (1.0 / 7.0))) + z4 * (1.0 / 9.0 + z * (1.0 / 11.0));
  return static_cast<double>(e) + (2.0 * s * p) * kLog2E;
}

double coarse_exp2(double x) {
  if (!(x == x)) return x;  // NaN
  if (x > 1020.0) return INFINITY;
  if (x < -1020.0) return 0.0;
  const double k = std::floor(x + 0.5);
  const double t = (x - k) * kLn2;  // |t| <= ln2/2
  // e^t, Taylor to t^8 (the next term is below 2e-10).
  const double t2 = t * t;
  const double t4 = t2 * t2;
  const double lo = (1.0 + t) + t2 * (0.5 + t * (1.0 / 6.0));
  const double hi = ((1.0 / 24.0 + t * (1.0 / 120.0)) + t2 * (1.0 / 720.0 + t * (1.0 / 5040.0))) + t4 * (1.0 / 40320.0);
  return (lo + t4 * hi) * pow2i(static_cast<int>(k));
}

double sin(double x) {
  double r = 0.0;
  int q = 0;
  reduce_half_pi(x, r, q);
  switch (q) {
    case 0: return sin_poly(r);
    case 1: return cos_poly(r);
    case 2: return -sin_poly(r);
    default: return -cos_poly(r);
  }
}

double cos(double x) {
  double r = 0.0;
  int q = 0;
  reduce_half_pi(x, r, q);
  switch (q) {
    case 0: return cos_poly(r);
    case 1: return -sin_poly(r);
    case 2: return -cos_poly(r);
    default: return sin_poly(r);
  }
}

double pow10(double x) { return exp2(x * kLog2_10); }

double exp(double x) { return exp2(x * kLog2E); }

double bessel_i0(double x) {
  // sum_k ((x/2)^k / k!)^2, stopping when a term no longer changes the sum.
  const double h = x / 2.0;
  double term = 1.0;
  double sum = 1.0;
  for (int k = 1; k < 500; ++k) {
    const double f = h / static_cast<double>(k);
    term = term * (f * f);
    const double next = sum + term;
    if (next == sum) break;
    sum = next;
  }
  return sum;
}

}  // namespace parley::dsp::detmath
