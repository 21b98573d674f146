#include "core/dsp/biquad.h"

#include <cmath>

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
  constexpr size_t kChunk = 64;
  double mid[kChunk];  // first's outputs of the current chunk
  while (n - i >= 4) {
    const size_t m = n - i < kChunk ? n - i : kChunk;
    double* u = v + i;
    mid[0] = first.step(u[0]);
    mid[1] = first.step(u[1]);
    BiquadLanes lanes(first, second);
    for (size_t s = 2; s < m; ++s) lanes.step(u[s], mid[s - 2], mid + s, u + s - 2);
    lanes.store(first, second);
    u[m - 2] = second.step(mid[m - 2]);
    u[m - 1] = second.step(mid[m - 1]);
    i += m;
  }
#endif
  for (; i < n; ++i) v[i] = second.step(first.step(v[i]));
}

}  // namespace parley::dsp
