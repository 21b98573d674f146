// Fixed gain in dB. 0 dB is an exact pass-through.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/dsp/detmath.h"
#include "core/dsp/sample.h"

namespace parley::dsp {

class Gain {
 public:
  explicit Gain(double db = 0.0) { set_db(db); }
  void set_db(double db) {
    unity_ = db == 0.0;
    g_ = detmath::db_to_gain(db);
  }
  void process(int16_t* x, size_t n) const {
    if (unity_) return;
    for (size_t i = 0; i < n; ++i) x[i] = saturate_round(static_cast<double>(x[i]) * g_);
  }
  double linear() const { return g_; }

 private:
  double g_ = 1.0;
  bool unity_ = true;
};

}  // namespace parley::dsp
