#include "core/dsp/playout_dsp.h"

namespace parley::dsp {

PlayoutDsp::PlayoutDsp(int rate, const PlayoutDspConfig& c)
    : gain_(c.gain_db),
      fade_(ms_to_samples(c.fade_out_ms < kMaxFadeOutMs ? c.fade_out_ms : kMaxFadeOutMs, rate),
            ms_to_samples(c.fade_in_ms, rate)) {
  if (c.dc_block) dc_.emplace(rate);
  if (c.tts_chain) tts_.emplace(rate, c.tts);
  if (c.limiter == LimiterMode::kPeak) peak_.emplace(rate, c.limit_dbfs, c.limiter_release_ms);
  if (c.limiter == LimiterMode::kSoftClip) soft_.emplace(c.soft_clip_threshold);
}

void PlayoutDsp::process(int16_t* x, size_t n) {
  gain_.process(x, n);
  if (dc_) dc_->process(x, n);
  if (tts_) tts_->process(x, n);
  if (peak_) peak_->process(x, n);
  if (soft_) soft_->process(x, n);
  fade_.process(x, n);
}

void PlayoutDsp::reset_filters() {
  if (dc_) dc_->reset();
  if (tts_) tts_->reset();
  if (peak_) peak_->reset();
}

}  // namespace parley::dsp
