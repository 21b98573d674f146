#include "core/dsp/resampler_design.h"

#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/dsp/detmath.h"

namespace parley::dsp {
namespace {

constexpr double kTargetAttenDb = 88.0;  // 8 dB over the 80 dB bar, for int16 rounding and ripple

// Kaiser's estimate: the length needed for `atten` dB with a transition of `dw` cycles/sample.
double kaiser_order(double atten, double dw) { return (atten - 7.95) / (2.285 * 2.0 * detmath::kPi * dw); }

double kaiser_atten(double order, double dw) { return 2.285 * 2.0 * detmath::kPi * dw * order + 7.95; }

double kaiser_beta(double atten) {
  if (atten > 50.0) return 0.1102 * (atten - 8.7);
  if (atten >= 21.0) {
    const double a = atten - 21.0;
    // 0.5842 * a^0.4 + 0.07886 * a, with a^0.4 via exp2/log2
    return 0.5842 * detmath::exp2(0.4 * detmath::log2(a)) + 0.07886 * a;
  }
  return 0.0;
}

int ceil_div(int a, int b) { return (a + b - 1) / b; }

void identity_design(ResamplerDesign& d) {
  d.taps = 8;
  d.delay_up = 0;
  d.coefs.assign(8, 0.0);
  d.coefs[7] = kCoefScale;  // reversed: the newest sample
  d.identity_tap.assign(1, 7);
}

}  // namespace

ResamplerDesign design_resampler(int in_rate, int out_rate, ResamplerQuality quality) {
  if (in_rate <= 0 || out_rate <= 0) throw std::invalid_argument("resampler: rates must be positive");
  ResamplerDesign d;
  d.in_rate = in_rate;
  d.out_rate = out_rate;
  const int g = std::gcd(in_rate, out_rate);
  d.up = out_rate / g;
  d.down = in_rate / g;
  if (d.up > 48 || d.down > 48) throw std::invalid_argument("resampler: ratio too complex (L or M > 48)");
  const double f_low = static_cast<double>(in_rate < out_rate ? in_rate : out_rate);
  d.pass_edge_hz = 0.45 * f_low;
  d.stop_edge_hz = (quality == ResamplerQuality::kVoice ? 0.55 : 0.50) * f_low;
  if (d.up == 1 && d.down == 1) {
    identity_design(d);
    d.design_atten_db = INFINITY;
    return d;
  }

  const int L = d.up;
  const int LM = d.up * d.down;
  const double rate = static_cast<double>(L) * static_cast<double>(in_rate);  // R = L * in
  const double dw = (d.stop_edge_hz - d.pass_edge_hz) / rate;
  const double two_fc = d.pass_edge_hz + d.stop_edge_hz;  // cutoff midway, times two

  const double half = kaiser_order(kTargetAttenDb, dw) / 2.0;
  const int delay = static_cast<int>(std::ceil(half / LM)) * LM;
  int taps = ceil_div(2 * delay + 1, L);
  taps = ceil_div(taps, 8) * 8;  // storage rounding only: zero taps are skipped by the kernel
  const int n = 2 * delay + 1;
  d.taps = taps;
  d.delay_up = delay;
  d.design_atten_db = kaiser_atten(static_cast<double>(n - 1), dw);
  d.beta = kaiser_beta(d.design_atten_db);

  std::vector<double> h(static_cast<size_t>(n));
  const double i0_beta = detmath::bessel_i0(d.beta);
  for (int i = 0; i < n; ++i) {
    const double t = static_cast<double>(i - delay);
    const double x = (t * two_fc) / rate;
    const double s = (i == delay) ? 1.0 : detmath::sin(detmath::kPi * x) / (detmath::kPi * x);
    const double r = t / static_cast<double>(delay);
    const double w = detmath::bessel_i0(d.beta * std::sqrt(1.0 - r * r)) / i0_beta;
    h[static_cast<size_t>(i)] = s * w;
  }

  d.coefs.assign(static_cast<size_t>(L) * static_cast<size_t>(taps), 0.0);
  d.identity_tap.assign(static_cast<size_t>(L), -1);
  std::vector<double> q(static_cast<size_t>(taps));
  for (int p = 0; p < L; ++p) {
    double sum = 0.0;
    for (int k = 0; k < taps; ++k) {
      const int i = p + k * L;
      if (i < n) sum = sum + h[static_cast<size_t>(i)];
    }
    const double scale = kCoefScale / sum;
    double qsum = 0.0;
    int peak = 0;
    for (int k = 0; k < taps; ++k) {
      const int i = p + k * L;
      const double v = i < n ? std::floor(h[static_cast<size_t>(i)] * scale + 0.5) : 0.0;
      q[static_cast<size_t>(k)] = v;
      qsum = qsum + v;
      if (std::fabs(v) > std::fabs(q[static_cast<size_t>(peak)])) peak = k;
    }
    // Unity DC gain per phase, exactly: a constant input gives the same constant output.
    q[static_cast<size_t>(peak)] = q[static_cast<size_t>(peak)] + (kCoefScale - qsum);
    int nonzero = 0;
    for (int k = 0; k < taps; ++k) {
      const double v = q[static_cast<size_t>(k)];
      d.coefs[static_cast<size_t>(p * taps + (taps - 1 - k))] = v;
      if (v != 0.0) ++nonzero;
    }
    if (nonzero == 1 && q[static_cast<size_t>(peak)] == kCoefScale) d.identity_tap[static_cast<size_t>(p)] = taps - 1 - peak;
  }
  return d;
}

}  // namespace parley::dsp
