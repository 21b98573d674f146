// Deterministic elementary functions for the DSP core.
//
// Why not <cmath>: the TypeScript reference (src/media/reference/detmath.ts) must compute
// bit-identical coefficients and per-sample gains, and glibc's exp/log/sin and V8's differ in
// the last ulp. These use only IEEE +, -, *, /, sqrt, floor and exact power-of-two scaling,
// evaluated in the same order in both languages, so both produce the same doubles.
// Accuracy is ~1e-15 relative (plenty for filter design and gains), not correctly rounded.
//
// Build assumption: no FMA contraction (x86-64 baseline has no FMA; the kernels that enable
// AVX2/FMA only handle exact integer arithmetic, where fusing cannot change a result).
#pragma once

namespace parley::dsp::detmath {

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kLn2 = 0.69314718055994530942;
inline constexpr double kLog2_10 = 3.32192809488736234787;  // log2(10)
inline constexpr double kLog2E = 1.44269504088896340736;    // log2(e)

/// 2^x for x in about [-1020, 1020]; saturates to 0 / +inf outside.
double exp2(double x);
/// log2(x) for finite x > 0; -inf for 0, NaN for negatives.
double log2(double x);
/// sin and cos for |x| up to ~1e5 (Cody-Waite reduction by pi/2).
double sin(double x);
double cos(double x);
/// Shorter-series exp2 and log2 (~1e-10 relative): for control signals computed often, such
/// as a compressor's gain, where the full series would cost more than the audio path.
double coarse_exp2(double x);
double coarse_log2(double x);
/// 10^x via exp2.
double pow10(double x);
/// e^x via exp2.
double exp(double x);
/// Zeroth-order modified Bessel function of the first kind (Kaiser window), series form.
double bessel_i0(double x);

/// Linear gain of a level in dB (20*log10 convention).
inline double db_to_gain(double db) { return pow10(db / 20.0); }
/// Level in dB of a linear amplitude (20*log10 convention).
inline double gain_to_db(double g) { return 20.0 * log2(g) / kLog2_10; }

}  // namespace parley::dsp::detmath
