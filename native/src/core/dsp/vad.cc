#include "core/dsp/vad.h"

#include <algorithm>

#include "core/dsp/detmath.h"
#include "core/dsp/sample.h"

namespace parley::dsp {
namespace {

constexpr double kFullScale = 32768.0 * 32768.0;  // energy of a full-scale square wave

double power_ratio(double db) { return detmath::pow10(db / 10.0); }

}  // namespace

Vad::Vad(int rate, const VadConfig& c)
    : block_(ms_to_samples(c.block_ms, rate)),
      onset_blocks_(static_cast<int>(c.onset_ms / c.block_ms + 0.5)),
      gap_blocks_(static_cast<int>(c.onset_gap_ms / c.block_ms + 0.5)),
      hangover_blocks_(static_cast<int>(c.hangover_ms / c.block_ms + 0.5)),
      on_(power_ratio(c.on_ratio_db)),
      off_(power_ratio(c.off_ratio_db)),
      min_level_(kFullScale * power_ratio(c.min_level_dbfs)),
      fall_(1.0 - detmath::exp(-c.block_ms / c.floor_fall_ms)),
      track_(1.0 - detmath::exp(-c.block_ms / c.floor_track_ms)),
      rise_(power_ratio(c.floor_rise_db_per_s * c.block_ms / 1000.0)),
      floor_min_(kFullScale * power_ratio(c.floor_min_dbfs)),
      echo_gate_(c.echo_gate),
      echo_erl_(power_ratio(-c.echo_erl_db)),
      tail_blocks_(static_cast<int>(c.echo_tail_ms / c.block_ms + 0.5)) {
  if (onset_blocks_ < 1) onset_blocks_ = 1;
  if (hangover_blocks_ < 1) hangover_blocks_ = 1;
  if (tail_blocks_ < 1) tail_blocks_ = 1;
  if (tail_blocks_ > kMaxTailBlocks) tail_blocks_ = kMaxTailBlocks;
}

void Vad::emit(VadEvent ev, VadEvent* events, size_t max_events, size_t& written) {
  if (written < max_events) events[written++] = ev;
  else ++dropped_;
}

void Vad::end_block(double energy, VadEvent* events, size_t max_events, size_t& written) {
  last_ = energy;
  const uint64_t block_start = pos_ - static_cast<uint64_t>(block_);
  if (!floor_init_) {
    floor_ = energy > floor_min_ ? energy : floor_min_;
    floor_init_ = true;
    return;  // the first block only teaches the floor
  }
  double thr_on = floor_ * on_;
  double thr_off = floor_ * off_;
  if (thr_on < min_level_) thr_on = min_level_;
  if (thr_off < min_level_) thr_off = min_level_;
  if (echo_gate_) {
    const double echo = out_peak_ * echo_erl_;
    if (thr_on < echo * on_) thr_on = echo * on_;
    if (thr_off < echo * off_) thr_off = echo * off_;
  }
  const bool start_worthy = energy >= thr_on;
  const bool still_speech = energy >= thr_off;

  switch (state_) {
    case State::kQuiet:
    case State::kStarting:
      if (!start_worthy) {
        // A start in progress waits between the thresholds and survives short dips below both.
        if (state_ == State::kStarting && (still_speech || ++gap_ <= gap_blocks_)) break;
        state_ = State::kQuiet;
        run_ = 0;
        break;
      }
      if (state_ == State::kQuiet) onset_at_ = block_start;
      state_ = State::kStarting;
      gap_ = 0;
      if (++run_ >= onset_blocks_) {
        state_ = State::kSpeaking;
        quiet_ = 0;
        emit({VadEvent::Kind::kSpeechStart, pos_, onset_at_}, events, max_events, written);
      }
      break;
    case State::kSpeaking:
      if (still_speech) {
        quiet_ = 0;
        break;
      }
      if (quiet_ == 0) silence_at_ = block_start;
      if (++quiet_ >= hangover_blocks_) {
        state_ = State::kQuiet;
        run_ = 0;
        emit({VadEvent::Kind::kSpeechEnd, pos_, silence_at_}, events, max_events, written);
      }
      break;
  }

  // Floor update after the decision, from this block.
  if (energy < floor_) {
    floor_ = floor_ + fall_ * (energy - floor_);
  } else if (energy < floor_ * on_ && state_ == State::kQuiet) {
    floor_ = floor_ + track_ * (energy - floor_);
  } else {
    const double crept = floor_ * rise_;
    floor_ = crept < energy ? crept : energy;
  }
  if (floor_ < floor_min_) floor_ = floor_min_;
}

// Block energy with the block's DC removed: (sum x^2 - (sum x)^2 / n) / n. Integer sums are
// exact (and vectorise); the TypeScript twin computes the same doubles.
double Vad::Acc::energy(int n) const {
  const double nn = static_cast<double>(n);
  const double s = static_cast<double>(sum);
  return (static_cast<double>(sum_sq) - (s * s) / nn) / nn;
}

size_t Vad::process(const int16_t* x, size_t n, VadEvent* events, size_t max_events) {
  size_t written = 0;
  size_t i = 0;
  while (i < n) {
    const size_t take = std::min(n - i, static_cast<size_t>(block_ - fill_));
    cap_.add(x + i, take);
    fill_ += static_cast<int>(take);
    pos_ += take;
    i += take;
    if (fill_ == block_) {
      const double energy = cap_.energy(block_);
      cap_ = {};
      fill_ = 0;
      end_block(energy, events, max_events, written);
    }
  }
  return written;
}

void Vad::observe_outbound(const int16_t* x, size_t n) {
  size_t i = 0;
  while (i < n) {
    const size_t take = std::min(n - i, static_cast<size_t>(block_ - ofill_));
    out_.add(x + i, take);
    ofill_ += static_cast<int>(take);
    i += take;
    if (ofill_ == block_) {
      const double energy = out_.energy(block_);
      out_ = {};
      ofill_ = 0;
      // Hold the loudest outbound block of the last tail: the echo of any of them may arrive now.
      out_hist_[out_next_] = energy;
      out_next_ = out_next_ + 1 == tail_blocks_ ? 0 : out_next_ + 1;
      double peak = 0.0;
      for (int b = 0; b < tail_blocks_; ++b) peak = out_hist_[b] > peak ? out_hist_[b] : peak;
      out_peak_ = peak;
    }
  }
}

double Vad::noise_floor_dbfs() const { return 10.0 * detmath::log2(floor_ / kFullScale) / detmath::kLog2_10; }
double Vad::last_level_dbfs() const { return 10.0 * detmath::log2((last_ > 0 ? last_ : 1e-300) / kFullScale) / detmath::kLog2_10; }

void Vad::reset() {
  cap_ = {};
  fill_ = 0;
  pos_ = 0;
  floor_ = last_ = 0;
  floor_init_ = false;
  state_ = State::kQuiet;
  run_ = gap_ = quiet_ = 0;
  onset_at_ = silence_at_ = 0;
  dropped_ = 0;
  out_ = {};
  ofill_ = 0;
  for (double& e : out_hist_) e = 0;
  out_next_ = 0;
  out_peak_ = 0;
}

}  // namespace parley::dsp
