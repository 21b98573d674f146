#include "core/dsp/biquad.h"

#include <cmath>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/dsp/detmath.h"

namespace parley::dsp {

BiquadCoefs rbj_lowpass(double rate, double f0, double q) {
  BiquadCoefs c;
  if (!(f0 < 0.49 * rate) || !(f0 > 0.0)) return c;
  const double w0 = 2.0 * detmath::kPi * f0 / rate;
  const double cw = detmath::cos(w0);
  const double alpha = detmath::sin(w0) / (2.0 * q);
  const double a0 = 1.0 + alpha;
  c.b0 = ((1.0 - cw) / 2.0) / a0;
  c.b1 = (1.0 - cw) / a0;
  c.b2 = ((1.0 - cw) / 2.0) / a0;
  c.a1 = (-2.0 * cw) / a0;
  c.a2 = (1.0 - alpha) / a0;
  return c;
}

BiquadCoefs rbj_high_shelf(double rate, double f0, double gain_db, double q) {
  BiquadCoefs c;
  if (!(f0 < 0.49 * rate) || !(f0 > 0.0)) return c;
  const double A = detmath::pow10(gain_db / 40.0);
  const double w0 = 2.0 * detmath::kPi * f0 / rate;
  const double cw = detmath::cos(w0);
  const double alpha = detmath::sin(w0) / (2.0 * q);
  const double sa = 2.0 * std::sqrt(A) * alpha;
  const double a0 = (A + 1.0) - (A - 1.0) * cw + sa;
  c.b0 = (A * ((A + 1.0) + (A - 1.0) * cw + sa)) / a0;
  c.b1 = (-2.0 * A * ((A - 1.0) + (A + 1.0) * cw)) / a0;
  c.b2 = (A * ((A + 1.0) + (A - 1.0) * cw - sa)) / a0;
  c.a1 = (2.0 * ((A - 1.0) - (A + 1.0) * cw)) / a0;
  c.a2 = ((A + 1.0) - (A - 1.0) * cw - sa) / a0;
  return c;
}

void Biquad::cascade(Biquad& first, Biquad& second, double* v, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  // Lane 0 runs `first` on sample s, lane 1 runs `second` on sample s - 2 (first's output of
  // two steps back, long since computed: the lag keeps the hand-over off the recurrence).
  // Each lane performs step()'s operations in step()'s order, so the results are identical.
  constexpr size_t kChunk = 64;
  double mid[kChunk];  // first's outputs of the current chunk
  while (n - i >= 4) {
    const size_t m = n - i < kChunk ? n - i : kChunk;
    double* u = v + i;
    mid[0] = first.step(u[0]);
    mid[1] = first.step(u[1]);
    const BiquadCoefs &c1 = first.c_, &c2 = second.c_;
    const __m128d b0 = _mm_set_pd(c2.b0, c1.b0), b1 = _mm_set_pd(c2.b1, c1.b1), b2 = _mm_set_pd(c2.b2, c1.b2);
    const __m128d a1 = _mm_set_pd(c2.a1, c1.a1), a2 = _mm_set_pd(c2.a2, c1.a2);
    __m128d x1 = _mm_set_pd(second.x1_, first.x1_), x2 = _mm_set_pd(second.x2_, first.x2_);
    __m128d y1 = _mm_set_pd(second.y1_, first.y1_), y2 = _mm_set_pd(second.y2_, first.y2_);
    for (size_t s = 2; s < m; ++s) {
      const __m128d x = _mm_set_pd(mid[s - 2], u[s]);
      const __m128d y = _mm_sub_pd(
          _mm_sub_pd(_mm_add_pd(_mm_add_pd(_mm_mul_pd(b0, x), _mm_mul_pd(b1, x1)), _mm_mul_pd(b2, x2)), _mm_mul_pd(a1, y1)),
          _mm_mul_pd(a2, y2));
      x2 = x1;
      x1 = x;
      y2 = y1;
      y1 = y;
      _mm_storel_pd(mid + s, y);
      _mm_storeh_pd(u + s - 2, y);
    }
    double lo[2], hi[2];
    _mm_storeu_pd(lo, x1);
    _mm_storeu_pd(hi, x2);
    first.x1_ = lo[0], second.x1_ = lo[1], first.x2_ = hi[0], second.x2_ = hi[1];
    _mm_storeu_pd(lo, y1);
    _mm_storeu_pd(hi, y2);
    first.y1_ = lo[0], second.y1_ = lo[1], first.y2_ = hi[0], second.y2_ = hi[1];
    u[m - 2] = second.step(mid[m - 2]);
    u[m - 1] = second.step(mid[m - 1]);
    i += m;
  }
#endif
  for (; i < n; ++i) v[i] = second.step(first.step(v[i]));
}

}  // namespace parley::dsp
