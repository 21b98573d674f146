// Linear fade with an integer position, so the gain is exactly level/length and the largest
// step it adds between two samples is full scale / length. A fade-out ends in exact zeros.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/dsp/sample.h"

namespace parley::dsp {

class Fade {
 public:
  Fade(int out_len, int in_len) : out_len_(out_len < 1 ? 1 : out_len), in_len_(in_len < 1 ? 1 : in_len), level_(kUnit) {}

  /// Ramp from the current gain down to 0 over at most out_len samples.
  void start_out() { dir_ = -1; }
  /// Ramp from the current gain up to 1 over at most in_len samples.
  void start_in() { dir_ = +1; }
  /// Silence now, then ramp up to 1 over in_len samples (the first audio after a flush).
  void restart_from_silence() {
    level_ = 0;
    dir_ = +1;
  }
  /// Silent now and staying silent until start_in().
  bool muted() const { return level_ == 0 && dir_ <= 0; }
  /// At full gain and not ramping.
  bool unity() const { return level_ == kUnit && dir_ >= 0; }
  int out_len() const { return out_len_; }
  int in_len() const { return in_len_; }

  void process(int16_t* x, size_t n) {
    if (unity()) return;
    for (size_t i = 0; i < n; ++i) {
      // Gain as a fraction of kUnit; each ramp moves kUnit/len per sample (integer steps).
      if (dir_ < 0) level_ = level_ > out_step() ? level_ - out_step() : 0;
      else if (dir_ > 0) level_ = level_ + in_step() < kUnit ? level_ + in_step() : kUnit;
      x[i] = level_ == 0 ? 0 : saturate_round(static_cast<double>(x[i]) * (static_cast<double>(level_) / kUnit));
    }
  }
  void reset() {
    level_ = kUnit;
    dir_ = 0;
  }

 private:
  // Gain in units of 2^-30 (exact as a double); steps round up so that a ramp never takes
  // longer than its length.
  static constexpr int64_t kUnit = 1 << 30;
  int64_t out_step() const { return (kUnit + out_len_ - 1) / out_len_; }
  int64_t in_step() const { return (kUnit + in_len_ - 1) / in_len_; }

  int out_len_;
  int in_len_;
  int64_t level_;
  int dir_ = 0;
};

}  // namespace parley::dsp
