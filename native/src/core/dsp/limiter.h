// Peak limiter with instant attack and exponential release: the envelope is never below
// |x|, so |output| <= ceiling always (no overshoot, no look-ahead latency). Below the
// ceiling the signal passes bit-exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/dsp/detmath.h"
#include "core/dsp/sample.h"
#include "core/dsp/simd.h"

namespace parley::dsp {

class PeakLimiter {
 public:
  PeakLimiter(int rate, double ceiling_dbfs, double release_ms)
      : ceiling_(32768.0 * detmath::db_to_gain(ceiling_dbfs)),
        release_(detmath::exp(-1.0 / (release_ms * static_cast<double>(rate) / 1000.0))) {}
  void process(int16_t* x, size_t n) {
    // Fast path with identical output: while env <= ceiling its exact value can never matter
    // (a sample over the ceiling sets env = |x| whatever it was; one under it changes
    // nothing), so a block that stays under the ceiling is left alone and env forgotten.
    if (env_ <= ceiling_) {
      if (static_cast<double>(simd::peak_abs(x, n)) <= ceiling_) {
        env_ = 0.0;
        return;
      }
    }
    for (size_t i = 0; i < n; ++i) {
      const double v = static_cast<double>(x[i]);
      const double a = v < 0.0 ? -v : v;
      const double decayed = env_ * release_;
      env_ = a > decayed ? a : decayed;
      if (env_ > ceiling_) x[i] = saturate_round(v * (ceiling_ / env_));
    }
  }
  void reset() { env_ = 0.0; }
  double ceiling() const { return ceiling_; }

 private:
  double ceiling_;
  double release_;
  double env_ = 0.0;
};

/// The original chain's soft clipper, made C1: linear below `threshold`, then a cubic that
/// meets slope 1 at the knee and slope 0 at full scale, capped at 0.999. (The original divided
/// the overshoot by the threshold, leaving a jump at |x| = 1; this keeps its threshold and cap.)
class SoftClipper {
 public:
  explicit SoftClipper(double threshold = 0.85) {
    thr_ = threshold > 1.0 ? 1.0 : (threshold < 0.01 ? 0.01 : threshold);
    knee_ = 3.0 * (1.0 - thr_);
  }
  /// v normalised to full scale 1.0.
  double clip(double v) const {
    const double a = v < 0.0 ? -v : v;
    if (a <= thr_) return v;
    double y = kCap;
    if (knee_ > 0.0) {
      const double o = (a - thr_) / knee_;
      if (o < 1.0) {
        const double r = 1.0 - o;
        y = thr_ + (1.0 - thr_) * (1.0 - r * r * r);
      } else {
        y = 1.0;
      }
    }
    if (y > kCap) y = kCap;
    return v < 0.0 ? -y : y;
  }
  void process(int16_t* x, size_t n) const {
    for (size_t i = 0; i < n; ++i) x[i] = saturate_round(clip(static_cast<double>(x[i]) / 32768.0) * 32768.0);
  }
  /// out[i] = saturate_round(clip(v[i]) * 32768): the same numbers, two samples at a time
  /// without branches (the TTS chain's last stage, whose input often hovers at the knee).
  void clip_to_int16(const double* v, int16_t* out, size_t n) const;

  static constexpr double kCap = 0.999;

 private:
  double thr_;
  double knee_;
};

inline void SoftClipper::clip_to_int16(const double* v, int16_t* out, size_t n) const {
  size_t i = 0;
#if defined(__SSE2__)
  // clip() with both branches computed and selected by masks (the knee's only for a pair with a
  // sample above the threshold), in its operation order. With
  // knee_ == 0 the overshoot is +inf and selects 1.0, then the cap, as clip() does. Rounding is
  // floor(c * 32768 + 0.5): truncate, correct by one where that rounded up, saturate by packing.
  const __m128d sign = _mm_set1_pd(-0.0), one = _mm_set1_pd(1.0), thr = _mm_set1_pd(thr_);
  const __m128d knee = _mm_set1_pd(knee_), span = _mm_set1_pd(1.0 - thr_), cap = _mm_set1_pd(kCap);
  const __m128d scale = _mm_set1_pd(32768.0), half = _mm_set1_pd(0.5);
  for (; i + 2 <= n; i += 2) {
    const __m128d x = _mm_loadu_pd(v + i);
    const __m128d a = _mm_andnot_pd(sign, x);
    const __m128d linear = _mm_cmple_pd(a, thr);
    __m128d c = x;
    if (_mm_movemask_pd(linear) != 3) {  // the knee (a division) only where a sample needs it
      const __m128d o = _mm_div_pd(_mm_sub_pd(a, thr), knee);
      const __m128d r = _mm_sub_pd(one, o);
      __m128d y = _mm_add_pd(thr, _mm_mul_pd(span, _mm_sub_pd(one, _mm_mul_pd(_mm_mul_pd(r, r), r))));
      const __m128d in_knee = _mm_cmplt_pd(o, one);
      y = _mm_or_pd(_mm_and_pd(in_knee, y), _mm_andnot_pd(in_knee, one));
      const __m128d over_cap = _mm_cmpgt_pd(y, cap);
      y = _mm_or_pd(_mm_and_pd(over_cap, cap), _mm_andnot_pd(over_cap, y));
      y = _mm_or_pd(y, _mm_and_pd(sign, x));
      c = _mm_or_pd(_mm_and_pd(linear, x), _mm_andnot_pd(linear, y));
    }
    const __m128d s = _mm_add_pd(_mm_mul_pd(c, scale), half);
    const __m128d t = _mm_cvtepi32_pd(_mm_cvttpd_epi32(s));
    const __m128d f = _mm_sub_pd(t, _mm_and_pd(_mm_cmpgt_pd(t, s), one));
    const __m128i q = _mm_cvttpd_epi32(f);
    const int32_t pair = _mm_cvtsi128_si32(_mm_packs_epi32(q, q));
    std::memcpy(out + i, &pair, sizeof pair);
  }
#endif
  for (; i < n; ++i) out[i] = saturate_round(clip(v[i]) * 32768.0);
}

}  // namespace parley::dsp
