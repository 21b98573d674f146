// RBJ "Audio EQ Cookbook" biquads (low-pass, high-shelf), direct form I in double on
// normalised samples. Coefficients are computed with detmath at the actual sample rate.
#pragma once

#include <cstddef>

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
  BiquadCoefs c_;
  double x1_ = 0, x2_ = 0, y1_ = 0, y2_ = 0;
};

}  // namespace parley::dsp
