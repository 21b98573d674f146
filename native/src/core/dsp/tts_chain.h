// The original system's TTS chain (docs/reference/original-engine.md#tts-chain), in its order and
// with its defaults: DC blocker -> noise gate -> compressor -> high shelf -> low-pass -> soft
// clipper, computed at the output rate. Pre-emphasis and the de-esser were off in the original and
// are not carried. Unlike the original, all-zero blocks are not skipped: the output must not depend
// on how the audio was chunked.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/dsp/biquad.h"
#include "core/dsp/dc_blocker.h"
#include "core/dsp/limiter.h"

namespace parley::dsp {

struct TtsChainParams {
  double dc_r_at_8k = 0.995;
  double gate_threshold_db = -45.0;
  double gate_attack_ms = 1.0;
  double gate_release_ms = 50.0;
  double comp_threshold_db = -18.0;
  double comp_ratio = 3.0;
  double comp_attack_ms = 5.0;
  double comp_release_ms = 50.0;
  double comp_makeup_db = 6.0;
  double comp_knee_db = 6.0;
  double shelf_hz = 3000.0;
  double shelf_db = 3.0;
  double shelf_q = 0.707;
  double lpf_hz = 3800.0;
  double lpf_q = 0.707;
  double clip_threshold = 0.85;
};

class TtsChain {
 public:
  TtsChain(int rate, const TtsChainParams& p = {});
  void process(int16_t* x, size_t n);
  void reset();

 private:
  double gate(double v);
  double compress(double v);

  DcBlocker dc_;
  Biquad shelf_;
  Biquad lpf_;
  SoftClipper clip_;
  // gate
  double gate_thr_, gate_att_, gate_rel_;
  double gate_env_ = 0.0, gate_gain_ = 0.0;
  // compressor
  double comp_thr_, comp_slope_, comp_knee_, comp_att_, comp_rel_, comp_makeup_;
  double comp_env_db_ = -96.0;
};

}  // namespace parley::dsp
