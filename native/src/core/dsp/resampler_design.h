// Design of the rational polyphase windowed-sinc (Kaiser) filter, done once at init.
//
// Output sample j of the resampler is sum_k h[k] * u[j*M - k], where u is the input
// zero-stuffed by L and h is the prototype low-pass at rate L*in. The prototype is symmetric
// around D (a multiple of L*M), so the group delay is exactly D/L input samples and D/M
// output samples: integers, which keeps sample accounting exact.
//
// Coefficients are integers scaled by 2^30 and stored as doubles; with int16 inputs every
// product and partial sum is an exact integer below 2^53, so the dot product has one exact
// result whatever the summation order (SIMD width, FMA or not, C++ or JavaScript).
#pragma once

#include <cstdint>
#include <vector>

namespace parley::dsp {

enum class ResamplerQuality {
  /// Passband to 0.45 x the lower rate, stopband from 0.55 x: nothing can alias or image
  /// into the passband. The transition is centred on the lower Nyquist (a Nyquist filter),
  /// which makes every L-th output an exact copy when upsampling by an integer.
  kVoice,
  /// Passband to 0.45 x, stopband from 0.50 x the lower rate: nothing survives above the
  /// lower Nyquist. About twice the taps of kVoice.
  kStrict,
};

inline constexpr double kCoefScale = 1073741824.0;  // 2^30

struct ResamplerDesign {
  int in_rate = 0;
  int out_rate = 0;
  int up = 1;     // L
  int down = 1;   // M
  int taps = 0;   // per phase, a multiple of 8 (zero padded)
  int delay_up = 0;  // D, at rate L*in
  double pass_edge_hz = 0;
  double stop_edge_hz = 0;
  double design_atten_db = 0;  // Kaiser estimate for the chosen length
  double beta = 0;
  /// phases[p * taps + k]: phase p, reversed so that the dot product runs forward in time.
  std::vector<double> coefs;
  /// Per phase: index k of the single tap equal to 2^30 if the phase is a pure delay, else -1.
  std::vector<int> identity_tap;
};

/// Designs the filter for in_rate -> out_rate (both positive, ratio reducible to L/M with
/// L, M <= 48). Same rates give a single identity phase.
ResamplerDesign design_resampler(int in_rate, int out_rate, ResamplerQuality quality);

}  // namespace parley::dsp
