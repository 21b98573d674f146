// RBJ "Audio EQ Cookbook" biquads (low-pass, high-shelf), direct form I in double on
// normalised samples. Coefficients are computed with detmath at the actual sample rate.
#pragma once

#include <cstddef>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace parley::dsp {

struct BiquadCoefs {
  double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;  // normalised by a0
};

/// Low-pass with corner f0 and quality q; an identity filter if f0 is not below 0.49 * rate.
BiquadCoefs rbj_lowpass(double rate, double f0, double q);
/// High shelf at f0 with `gain_db` above it, quality q (cookbook Q form).
BiquadCoefs rbj_high_shelf(double rate, double f0, double gain_db, double q);

class Biquad {
 public:
  Biquad() = default;
  explicit Biquad(const BiquadCoefs& c) : c_(c) {}
  double step(double x) {
    const double y = (((c_.b0 * x + c_.b1 * x1_) + c_.b2 * x2_) - c_.a1 * y1_) - c_.a2 * y2_;
    x2_ = x1_;
    x1_ = x;
    y2_ = y1_;
    y1_ = y;
    return y;
  }
  void reset() { x1_ = x2_ = y1_ = y2_ = 0.0; }
  const BiquadCoefs& coefs() const { return c_; }
  /// v[i] = second.step(first.step(v[i])) for i < n, the same numbers as that loop: the two
  /// filters run side by side in the lanes of one SSE2 vector, `second` two samples behind
  /// `first`, so each sample costs one filter's recurrence instead of two in a row.
  static void cascade(Biquad& first, Biquad& second, double* v, size_t n);

 private:
  friend class BiquadLanes;
  BiquadCoefs c_;
  double x1_ = 0, x2_ = 0, y1_ = 0, y2_ = 0;
};

#if defined(__SSE2__)
/// Two biquads in the two lanes of one SSE2 vector, each lane performing step()'s operations in
/// step()'s order (so the same numbers): a caller that feeds the second one a sample the first
/// produced a few steps back overlaps their recurrences.
class BiquadLanes {
 public:
  BiquadLanes(const Biquad& first, const Biquad& second)
      : b0_(_mm_set_pd(second.c_.b0, first.c_.b0)),
        b1_(_mm_set_pd(second.c_.b1, first.c_.b1)),
        b2_(_mm_set_pd(second.c_.b2, first.c_.b2)),
        a1_(_mm_set_pd(second.c_.a1, first.c_.a1)),
        a2_(_mm_set_pd(second.c_.a2, first.c_.a2)),
        x1_(_mm_set_pd(second.x1_, first.x1_)),
        x2_(_mm_set_pd(second.x2_, first.x2_)),
        y1_(_mm_set_pd(second.y1_, first.y1_)),
        y2_(_mm_set_pd(second.y2_, first.y2_)) {}
  /// *ya = first.step(a), *yb = second.step(b).
  [[gnu::always_inline]] void step(double a, double b, double* ya, double* yb) {
    const __m128d x = _mm_set_pd(b, a);
    const __m128d y = _mm_sub_pd(
        _mm_sub_pd(_mm_add_pd(_mm_add_pd(_mm_mul_pd(b0_, x), _mm_mul_pd(b1_, x1_)), _mm_mul_pd(b2_, x2_)), _mm_mul_pd(a1_, y1_)),
        _mm_mul_pd(a2_, y2_));
    x2_ = x1_;
    x1_ = x;
    y2_ = y1_;
    y1_ = y;
    _mm_storel_pd(ya, y);
    _mm_storeh_pd(yb, y);
  }
  /// Hands the lanes' state back to the two filters.
  void store(Biquad& first, Biquad& second) const {
    double lo[2], hi[2];
    _mm_storeu_pd(lo, x1_);
    _mm_storeu_pd(hi, x2_);
    first.x1_ = lo[0], second.x1_ = lo[1], first.x2_ = hi[0], second.x2_ = hi[1];
    _mm_storeu_pd(lo, y1_);
    _mm_storeu_pd(hi, y2_);
    first.y1_ = lo[0], second.y1_ = lo[1], first.y2_ = hi[0], second.y2_ = hi[1];
  }

 private:
  __m128d b0_, b1_, b2_, a1_, a2_;
  __m128d x1_, x2_, y1_, y2_;
};
#endif

}  // namespace parley::dsp
