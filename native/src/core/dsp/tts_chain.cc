#include "core/dsp/tts_chain.h"

#include <cmath>

#include "core/dsp/detmath.h"
#include "core/dsp/sample.h"

namespace parley::dsp {
namespace {

// One-pole smoothing coefficient per step of `n` samples: 1 - exp(-n / (ms * rate / 1000)).
// (n = 1 is the original's per-sample coefficient; a block step keeps its time constant.)
double smoothing(double ms, int rate, int n) {
  return 1.0 - detmath::exp(-static_cast<double>(n) / (ms * static_cast<double>(rate) / 1000.0));
}

// 10*log10(p) = log2(p) * kDbPerLog2Power; 10^(g/20) = 2^(g * kLog2PerDbGain).
constexpr double kDbPerLog2Power = 10.0 / detmath::kLog2_10;
constexpr double kLog2PerDbGain = detmath::kLog2_10 / 20.0;

}  // namespace

TtsChain::TtsChain(int rate, const TtsChainParams& p)
    : dc_(rate, p.dc_r_at_8k),
      shelf_(rbj_high_shelf(rate, p.shelf_hz, p.shelf_db, p.shelf_q)),
      lpf_(rbj_lowpass(rate, p.lpf_hz, p.lpf_q)),
      clip_(p.clip_threshold),
      block_(ms_to_samples(kTtsControlBlockMs, rate)),
      inv_block_(1.0 / static_cast<double>(block_)),
      gate_thr_(detmath::db_to_gain(p.gate_threshold_db)),
      gate_att_(smoothing(p.gate_attack_ms, rate, block_)),
      gate_rel_(smoothing(p.gate_release_ms, rate, block_)),
      comp_thr_(p.comp_threshold_db),
      comp_slope_(1.0 - 1.0 / p.comp_ratio),
      comp_knee_(p.comp_knee_db),
      inv_2knee_(1.0 / (2.0 * p.comp_knee_db)),
      comp_att_(smoothing(p.comp_attack_ms, rate, block_)),
      comp_rel_(smoothing(p.comp_release_ms, rate, block_)),
      comp_makeup_(detmath::db_to_gain(p.comp_makeup_db)),
      comp_{comp_makeup_, comp_makeup_} {}

void TtsChain::end_gate() {
  // Gate: the envelope follows the block's peak; the gain eases towards open (1) or shut (0).
  gate_env_ = gate_env_ + (peak_ > gate_env_ ? gate_att_ : gate_rel_) * (peak_ - gate_env_);
  const double open = gate_env_ > gate_thr_ ? 1.0 : 0.0;
  const double gate_gain = gate_.to;
  gate_.set(gate_gain + (open > gate_gain ? gate_att_ : gate_rel_) * (open - gate_gain), inv_block_);
  peak_ = 0.0;
}

void TtsChain::end_comp(double sum_sq) {
  // Compressor: the block's mean square in dB (10*log10, floor -96 dB) drives the envelope.
  // (Reciprocals, not divisions: this path is one long dependency chain, once a block.)
  double level = detmath::coarse_log2(sum_sq * inv_block_ + 1e-20) * kDbPerLog2Power;
  if (level < -96.0) level = -96.0;
  comp_env_db_ = comp_env_db_ + (level > comp_env_db_ ? comp_att_ : comp_rel_) * (level - comp_env_db_);
  const double over = comp_env_db_ - comp_thr_;
  const double half = comp_knee_ / 2.0;
  double g = 0.0;
  if (over >= half) {
    g = -over * comp_slope_;
  } else if (over > -half) {
    const double k = over + half;
    g = -(k * k * inv_2knee_) * comp_slope_;
  }
  comp_.set(g == 0.0 ? comp_makeup_ : detmath::coarse_exp2(g * kLog2PerDbGain) * comp_makeup_, inv_block_);
}

namespace {

// One sample through the DC blocker, the detectors and both gains; k counts the block's samples.
[[gnu::always_inline]] inline double gain_step(DcBlocker& dc, int16_t x, double gate_from, double gate_step,
                                               double comp_from, double comp_step, double& peak, double& sum_sq,
                                               double& k) {
  double v = dc.step(static_cast<double>(x) / 32768.0);
  // |v| by clearing the sign: as v < 0 ? -v : v except at -0.0, which v never is (x - x1 of
  // two equal samples is +0) and which could not raise the peak anyway.
  const double a = std::fabs(v);
  peak = a > peak ? a : peak;
  k = k + 1.0;
  v = v * (gate_from + gate_step * k);
  sum_sq = sum_sq + v * v;
  return v * (comp_from + comp_step * k);
}

}  // namespace

void TtsChain::process(int16_t* x, size_t n) {
  // In chunks: the gains (DC blocker, detectors, gate and compressor, with the control blocks'
  // ends) and both biquads in one loop, the biquads kLag samples behind the gains and side by
  // side in SSE2 lanes, so the three recurrences overlap instead of running one after another;
  // then the clipper two samples at a time and without branches (its input often hovers at the
  // knee). Each stage computes the same operations in the same order as the scalar chain.
  size_t i = 0;
  while (i < n) {
    double buf[kChunk];
    const size_t m = n - i < kChunk ? n - i : kChunk;
#if defined(__SSE2__)
    if (m >= kLag + 2) {
      fused(x + i, buf, m);
    } else {
      gains(x + i, buf, m);
      Biquad::cascade(shelf_, lpf_, buf, m);
    }
#else
    gains(x + i, buf, m);
    Biquad::cascade(shelf_, lpf_, buf, m);
#endif
    clip_.clip_to_int16(buf, x + i, m);
    i += m;
  }
}

void TtsChain::gains(const int16_t* x, double* out, size_t n) {
  // The DC blocker's state lives in a local for the loop (a register, not memory).
  DcBlocker dc = dc_;
  size_t i = 0;
  while (i < n) {
    // Up to the end of the current control block, whose ramps are fixed.
    const size_t left = static_cast<size_t>(block_ - pos_);
    const size_t end = n - i < left ? n : i + left;
    const Ramp gr = gate_, cr = comp_;
    double peak = peak_, sum_sq = sum_sq_;
    double k = static_cast<double>(pos_);
    for (; i < end; ++i) out[i] = gain_step(dc, x[i], gr.from, gr.step, cr.from, cr.step, peak, sum_sq, k);
    close_piece(peak, sum_sq, k);
  }
  dc_ = dc;
}

void TtsChain::close_piece(double peak, double sum_sq, double k) {
  peak_ = peak;
  sum_sq_ = sum_sq;
  pos_ = static_cast<int>(k);
  if (pos_ == block_) {
    end_gate();
    end_comp(sum_sq_);
    pos_ = 0;
    sum_sq_ = 0.0;
  }
}

#if defined(__SSE2__)
void TtsChain::fused(const int16_t* x, double* u, size_t m) {
  // u[s]: the gains' output of sample s, then (in place, once read) the low-pass output.
  // Step s computes the gains of sample s and the filter step t = s - kLag + 2: the shelf on
  // u[t] and the low-pass on mid[t - 2], the shelf's output two steps earlier.
  double mid[kChunk];
  gains(x, u, kLag);
  mid[0] = shelf_.step(u[0]);
  mid[1] = shelf_.step(u[1]);
  BiquadLanes lanes(shelf_, lpf_);
  DcBlocker dc = dc_;
  size_t s = kLag, t = 2;
  while (s < m) {
    const size_t left = static_cast<size_t>(block_ - pos_);
    const size_t end = m - s < left ? m : s + left;
    const Ramp gr = gate_, cr = comp_;
    double peak = peak_, sum_sq = sum_sq_;
    double k = static_cast<double>(pos_);
    for (; s < end; ++s, ++t) {
      u[s] = gain_step(dc, x[s], gr.from, gr.step, cr.from, cr.step, peak, sum_sq, k);
      lanes.step(u[t], mid[t - 2], mid + t, u + t - 2);
    }
    close_piece(peak, sum_sq, k);
  }
  dc_ = dc;
  for (; t < m; ++t) lanes.step(u[t], mid[t - 2], mid + t, u + t - 2);
  lanes.store(shelf_, lpf_);
  u[m - 2] = lpf_.step(mid[m - 2]);
  u[m - 1] = lpf_.step(mid[m - 1]);
}
#endif

void TtsChain::reset() {
  dc_.reset();
  shelf_.reset();
  lpf_.reset();
  gate_env_ = 0.0;
  comp_env_db_ = -96.0;
  pos_ = 0;
  peak_ = sum_sq_ = 0.0;
  gate_ = Ramp{0.0, 0.0};
  comp_ = Ramp{comp_makeup_, comp_makeup_};
}

}  // namespace parley::dsp
