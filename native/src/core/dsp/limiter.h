// Peak limiter with instant attack and exponential release: the envelope is never below
// |x|, so |output| <= ceiling always (no overshoot, no look-ahead latency). Below the
// ceiling the signal passes bit-exactly.
#pragma once

#include <cstddef>
#include <cstdint>

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

  static constexpr double kCap = 0.999;

 private:
  double thr_;
  double knee_;
};

}  // namespace parley::dsp
