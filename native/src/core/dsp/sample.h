// Sample conversion shared by every block. The rounding rule (floor(v + 0.5), then saturate)
// is written out rather than left to lrint/Math.round so that C++ and the TypeScript
// reference round ties identically.
#pragma once

#include <cmath>
#include <cstdint>

namespace parley::dsp {

/// Rounds half up and saturates to int16; NaN maps to -32768.
inline int16_t saturate_round(double v) {
  const double r = std::floor(v + 0.5);
  if (r >= 32767.0) return 32767;
  if (r > -32768.0) return static_cast<int16_t>(r);
  return -32768;
}

/// Samples per block of `ms` milliseconds at `rate` Hz, at least 1.
inline int ms_to_samples(double ms, int rate) {
  const double n = std::floor(ms * static_cast<double>(rate) / 1000.0 + 0.5);
  return n < 1.0 ? 1 : static_cast<int>(n);
}

}  // namespace parley::dsp
