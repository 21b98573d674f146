// First-order DC blocker y = x - x1 + r*y1. r = 0.995 at 8 kHz (the original chain's value),
// rescaled so the corner (~6 Hz) stays put at other rates: r = 1 - 40/rate.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/dsp/sample.h"

namespace parley::dsp {

class DcBlocker {
 public:
  explicit DcBlocker(int rate, double r_at_8k = 0.995) : r_(1.0 - (1.0 - r_at_8k) * 8000.0 / static_cast<double>(rate)) {}
  /// One sample in the caller's units (int16 scale or normalised); state stays unrounded.
  double step(double x) {
    const double y = (x - x1_) + r_ * y1_;
    x1_ = x;
    y1_ = y;
    return y;
  }
  void process(int16_t* x, size_t n) {
    for (size_t i = 0; i < n; ++i) x[i] = saturate_round(step(static_cast<double>(x[i])));
  }
  void reset() { x1_ = y1_ = 0.0; }
  double coefficient() const { return r_; }

 private:
  double r_;
  double x1_ = 0.0;
  double y1_ = 0.0;
};

}  // namespace parley::dsp
