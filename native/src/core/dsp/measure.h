// Signal measurements for the DSP tests and benchmarks: least-squares sine fit, RMS, dB.
// Uses <cmath> freely: these judge the output, they are not part of what is being judged.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

namespace parley::dsp::measure {

struct SineFit {
  double amplitude = 0;  // of the fitted sinusoid
  double phase = 0;      // radians, of cos(w*n + phase) at n = 0 (n counted from `first`)
  double dc = 0;
  double residual_rms = 0;  // what the fit leaves: noise, distortion, aliases, images
};

/// Fits a*cos(w n) + b*sin(w n) + c to y[first .. first+count) with w = 2*pi*freq/rate,
/// n counted from `first`.
inline SineFit fit_sine(const int16_t* y, size_t first, size_t count, double freq, double rate) {
  const double w = 2.0 * M_PI * freq / rate;
  // Normal equations of the 3-parameter least-squares fit.
  double cc = 0, ss = 0, cs = 0, c1 = 0, s1 = 0, yc = 0, ys = 0, y1 = 0;
  for (size_t i = 0; i < count; ++i) {
    const double c = std::cos(w * static_cast<double>(i));
    const double s = std::sin(w * static_cast<double>(i));
    const double v = y[first + i];
    cc += c * c; ss += s * s; cs += c * s; c1 += c; s1 += s;
    yc += v * c; ys += v * s; y1 += v;
  }
  const double n = static_cast<double>(count);
  // Solve [[cc cs c1][cs ss s1][c1 s1 n]] [a b d] = [yc ys y1] by Cramer's rule.
  const double det = cc * (ss * n - s1 * s1) - cs * (cs * n - s1 * c1) + c1 * (cs * s1 - ss * c1);
  const double a = (yc * (ss * n - s1 * s1) - cs * (ys * n - s1 * y1) + c1 * (ys * s1 - ss * y1)) / det;
  const double b = (cc * (ys * n - s1 * y1) - yc * (cs * n - s1 * c1) + c1 * (cs * y1 - ys * c1)) / det;
  const double d = (cc * (ss * y1 - ys * s1) - cs * (cs * y1 - ys * c1) + yc * (cs * s1 - ss * c1)) / det;
  double err = 0;
  for (size_t i = 0; i < count; ++i) {
    const double t = w * static_cast<double>(i);
    const double e = static_cast<double>(y[first + i]) - (a * std::cos(t) + b * std::sin(t) + d);
    err += e * e;
  }
  SineFit f;
  f.amplitude = std::sqrt(a * a + b * b);
  f.phase = std::atan2(-b, a);
  f.dc = d;
  f.residual_rms = std::sqrt(err / n);
  return f;
}

inline double rms(const int16_t* y, size_t first, size_t count) {
  double e = 0;
  for (size_t i = 0; i < count; ++i) e += static_cast<double>(y[first + i]) * static_cast<double>(y[first + i]);
  return std::sqrt(e / static_cast<double>(count));
}

inline double db(double ratio) { return 20.0 * std::log10(ratio); }

}  // namespace parley::dsp::measure
