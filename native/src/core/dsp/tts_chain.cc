#include "core/dsp/tts_chain.h"

#include "core/dsp/detmath.h"
#include "core/dsp/sample.h"

namespace parley::dsp {
namespace {

// One-pole smoothing coefficient 1 - exp(-1 / (ms * rate / 1000)), as in the original.
double smoothing(double ms, int rate) { return 1.0 - detmath::exp(-1.0 / (ms * static_cast<double>(rate) / 1000.0)); }

}  // namespace

TtsChain::TtsChain(int rate, const TtsChainParams& p)
    : dc_(rate, p.dc_r_at_8k),
      shelf_(rbj_high_shelf(rate, p.shelf_hz, p.shelf_db, p.shelf_q)),
      lpf_(rbj_lowpass(rate, p.lpf_hz, p.lpf_q)),
      clip_(p.clip_threshold),
      gate_thr_(detmath::db_to_gain(p.gate_threshold_db)),
      gate_att_(smoothing(p.gate_attack_ms, rate)),
      gate_rel_(smoothing(p.gate_release_ms, rate)),
      comp_thr_(p.comp_threshold_db),
      comp_slope_(1.0 - 1.0 / p.comp_ratio),
      comp_knee_(p.comp_knee_db),
      comp_att_(smoothing(p.comp_attack_ms, rate)),
      comp_rel_(smoothing(p.comp_release_ms, rate)),
      comp_makeup_(detmath::db_to_gain(p.comp_makeup_db)) {}

double TtsChain::gate(double v) {
  const double a = v < 0.0 ? -v : v;
  gate_env_ = gate_env_ + (a > gate_env_ ? gate_att_ : gate_rel_) * (a - gate_env_);
  const double target = gate_env_ > gate_thr_ ? 1.0 : 0.0;
  gate_gain_ = gate_gain_ + (target > gate_gain_ ? gate_att_ : gate_rel_) * (target - gate_gain_);
  return v * gate_gain_;
}

double TtsChain::compress(double v) {
  const double a = v < 0.0 ? -v : v;
  double level = detmath::gain_to_db(a + 1e-10);
  if (level < -96.0) level = -96.0;
  comp_env_db_ = comp_env_db_ + (level > comp_env_db_ ? comp_att_ : comp_rel_) * (level - comp_env_db_);
  const double over = comp_env_db_ - comp_thr_;
  const double half = comp_knee_ / 2.0;
  double g = 0.0;
  if (over >= half) {
    g = -over * comp_slope_;
  } else if (over > -half) {
    const double k = over + half;
    g = -((k * k) / (2.0 * comp_knee_)) * comp_slope_;
  }
  const double gain = g == 0.0 ? comp_makeup_ : detmath::db_to_gain(g) * comp_makeup_;
  return v * gain;
}

void TtsChain::process(int16_t* x, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    double v = static_cast<double>(x[i]) / 32768.0;
    v = dc_.step(v);
    v = gate(v);
    v = compress(v);
    v = shelf_.step(v);
    v = lpf_.step(v);
    v = clip_.clip(v);
    x[i] = saturate_round(v * 32768.0);
  }
}

void TtsChain::reset() {
  dc_.reset();
  shelf_.reset();
  lpf_.reset();
  gate_env_ = gate_gain_ = 0.0;
  comp_env_db_ = -96.0;
}

}  // namespace parley::dsp
