// ITU-T G.711 mu-law and A-law, bit-exact with the ITU's reference software (G.191 STL
// g711.c): 16-bit linear in, 8-bit code out, and the standard's reconstruction levels back.
// Negative inputs use the one's complement magnitude, as G.191 does, so every decision
// interval is the standard's.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace parley::dsp::g711 {

constexpr uint8_t ulaw_encode(int16_t x) {
  const int v = x;
  int mag = (v < 0 ? ~v : v) >> 2;  // 14-bit magnitude (one's complement for negatives)
  mag += 33;                         // the mu-law bias (0x84 in 16-bit units)
  if (mag > 0x1fff) mag = 0x1fff;
  const int seg = std::bit_width(static_cast<unsigned>(mag >> 6)) + 1;  // 1..8
  const int hi = 8 - seg;
  const int lo = 0x0f - ((mag >> seg) & 0x0f);
  int code = (hi << 4) | lo;
  if (v >= 0) code |= 0x80;
  return static_cast<uint8_t>(code);
}

constexpr int16_t ulaw_decode_calc(uint8_t code) {
  const int inv = ~static_cast<int>(code);
  const int exponent = (inv >> 4) & 0x07;
  const int mantissa = inv & 0x0f;
  const int step = 4 << (exponent + 1);
  const int mag = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
  return static_cast<int16_t>(code < 0x80 ? -mag : mag);
}

constexpr uint8_t alaw_encode(int16_t x) {
  const int v = x;
  int ix = (v < 0 ? ~v : v) >> 4;  // 12-bit magnitude
  if (ix > 15) {
    const int exponent = std::bit_width(static_cast<unsigned>(ix)) - 4;  // 1..7
    ix = ((ix >> (exponent - 1)) - 16) + (exponent << 4);
  }
  if (v >= 0) ix |= 0x80;
  return static_cast<uint8_t>(ix ^ 0x55);
}

constexpr int16_t alaw_decode_calc(uint8_t code) {
  const int ix = (code ^ 0x55) & 0x7f;
  const int exponent = ix >> 4;
  int mant = ix & 0x0f;
  if (exponent > 0) mant += 16;
  mant = (mant << 4) + 0x08;
  if (exponent > 1) mant <<= (exponent - 1);
  return static_cast<int16_t>(code > 127 ? mant : -mant);
}

namespace detail {
template <int16_t (*F)(uint8_t)>
constexpr std::array<int16_t, 256> make_table() {
  std::array<int16_t, 256> t{};
  for (int c = 0; c < 256; ++c) t[static_cast<size_t>(c)] = F(static_cast<uint8_t>(c));
  return t;
}
inline constexpr std::array<int16_t, 256> kUlaw = make_table<ulaw_decode_calc>();
inline constexpr std::array<int16_t, 256> kAlaw = make_table<alaw_decode_calc>();

// Encoders as tables: the mu-law code depends only on x >> 2, the A-law code on x >> 4
// (arithmetic shifts commute with the one's complement used for negatives).
inline constexpr std::array<uint8_t, 16384> kUlawEnc = [] {
  std::array<uint8_t, 16384> t{};
  for (int i = 0; i < 16384; ++i) t[static_cast<size_t>(i)] = ulaw_encode(static_cast<int16_t>((i - 8192) * 4));
  return t;
}();
inline constexpr std::array<uint8_t, 4096> kAlawEnc = [] {
  std::array<uint8_t, 4096> t{};
  for (int i = 0; i < 4096; ++i) t[static_cast<size_t>(i)] = alaw_encode(static_cast<int16_t>((i - 2048) * 16));
  return t;
}();
}  // namespace detail

inline int16_t ulaw_decode(uint8_t code) { return detail::kUlaw[code]; }
inline int16_t alaw_decode(uint8_t code) { return detail::kAlaw[code]; }

/// Bulk forms for the paths: n samples from in to out.
void ulaw_encode(const int16_t* in, size_t n, uint8_t* out);
void ulaw_decode(const uint8_t* in, size_t n, int16_t* out);
void alaw_encode(const int16_t* in, size_t n, uint8_t* out);
void alaw_decode(const uint8_t* in, size_t n, int16_t* out);

}  // namespace parley::dsp::g711
