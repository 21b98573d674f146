// G.711 against the standard: decoder output at every code from the segment/step tables of
// ITU-T G.711 (Tables 1a/2a), encoder at every 16-bit input against the decision intervals,
// with the G.191 convention for negative inputs (one's complement magnitude).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>

#include "core/dsp/g711.h"

namespace g711 = parley::dsp::g711;

namespace {

// mu-law code -> 16-bit value from the standard's description: the character carries the
// sign (1 = positive), then segment s and step q with bits 2..8 inverted. The decoder output
// of (s, q) is (2q + 33) * 2^s - 33 in 14-bit units; x4 to 16-bit.
int ulaw_standard(int code) {
  const bool positive = (code & 0x80) != 0;
  const int s = 7 - ((code >> 4) & 7);
  const int q = 15 - (code & 15);
  const int mag = 4 * ((2 * q + 33) * (1 << s) - 33);
  return positive ? mag : -mag;
}

// A-law: even bits inverted (XOR 0x55), sign 1 = positive; 13-bit decoder output of (s, q)
// is 2q + 1 for s = 0 and (2q + 33) * 2^(s-1) for s >= 1; x8 to 16-bit.
int alaw_standard(int code) {
  const int c = code ^ 0x55;
  const bool positive = (c & 0x80) != 0;
  const int s = (c >> 4) & 7;
  const int q = c & 15;
  const int mag = 8 * (s == 0 ? 2 * q + 1 : (2 * q + 33) * (1 << (s - 1)));
  return positive ? mag : -mag;
}

// Encoder ground truth by search over the decision intervals. Magnitude in 16-bit units:
// x for x >= 0, -x-1 (one's complement) for x < 0.
int ulaw_expected_code(int x) {
  const double m = (x >= 0 ? x : -x - 1) / 4.0;  // 14-bit units
  for (int s = 0; s < 8; ++s)
    for (int q = 0; q < 16; ++q) {
      const double lo = (s == 0 && q == 0) ? -1e9 : (q + 16) * (2 << s) - 33.0;
      const double hi = (s == 7 && q == 15) ? 1e9 : (q + 17) * (2 << s) - 33.0;
      if (m >= lo && m < hi) return (x >= 0 ? 0x80 : 0) | ((7 - s) << 4) | (15 - q);
    }
  return -1;
}

int alaw_expected_code(int x) {
  const double m = (x >= 0 ? x : -x - 1);  // 16-bit units
  for (int s = 0; s < 8; ++s)
    for (int q = 0; q < 16; ++q) {
      const double lo = s == 0 ? 16.0 * q : (16.0 + q) * 16.0 * (1 << (s - 1));
      const double hi = (s == 7 && q == 15) ? 1e9 : (s == 0 ? 16.0 * (q + 1) : (17.0 + q) * 16.0 * (1 << (s - 1)));
      if (m >= lo && m < hi) return ((x >= 0 ? 0x80 : 0) | (s << 4) | q) ^ 0x55;
    }
  return -1;
}

}  // namespace

TEST(G711, UlawDecodeMatchesStandardAtEveryCode) {
  for (int c = 0; c < 256; ++c) EXPECT_EQ(g711::ulaw_decode(static_cast<uint8_t>(c)), ulaw_standard(c)) << "code " << c;
}

TEST(G711, AlawDecodeMatchesStandardAtEveryCode) {
  for (int c = 0; c < 256; ++c) EXPECT_EQ(g711::alaw_decode(static_cast<uint8_t>(c)), alaw_standard(c)) << "code " << c;
}

TEST(G711, WellKnownCodePoints) {
  EXPECT_EQ(g711::ulaw_decode(0x00), -32124);
  EXPECT_EQ(g711::ulaw_decode(0x80), 32124);
  EXPECT_EQ(g711::ulaw_decode(0xFF), 0);
  EXPECT_EQ(g711::ulaw_decode(0x7F), 0);
  EXPECT_EQ(g711::ulaw_encode(0), 0xFF);
  EXPECT_EQ(g711::ulaw_encode(-1), 0x7F);
  EXPECT_EQ(g711::ulaw_encode(32767), 0x80);
  EXPECT_EQ(g711::ulaw_encode(-32768), 0x00);
  EXPECT_EQ(g711::alaw_decode(0xD5), 8);
  EXPECT_EQ(g711::alaw_decode(0x55), -8);
  EXPECT_EQ(g711::alaw_decode(0xAA), 32256);
  EXPECT_EQ(g711::alaw_decode(0x2A), -32256);
  EXPECT_EQ(g711::alaw_encode(0), 0xD5);
  EXPECT_EQ(g711::alaw_encode(-1), 0x55);
  EXPECT_EQ(g711::alaw_encode(32767), 0xAA);
  EXPECT_EQ(g711::alaw_encode(-32768), 0x2A);
}

TEST(G711, UlawEncodeAllInputsFallInTheStandardDecisionInterval) {
  for (int x = -32768; x <= 32767; ++x) {
    const int got = g711::ulaw_encode(static_cast<int16_t>(x));
    ASSERT_EQ(got, ulaw_expected_code(x)) << "x=" << x;
  }
}

TEST(G711, AlawEncodeAllInputsFallInTheStandardDecisionInterval) {
  for (int x = -32768; x <= 32767; ++x) {
    const int got = g711::alaw_encode(static_cast<int16_t>(x));
    ASSERT_EQ(got, alaw_expected_code(x)) << "x=" << x;
  }
}

TEST(G711, QuantisationErrorIsAtMostHalfAStep) {
  for (int x = -32768; x <= 32767; ++x) {
    const int u = g711::ulaw_decode(g711::ulaw_encode(static_cast<int16_t>(x)));
    const int a = g711::alaw_decode(g711::alaw_encode(static_cast<int16_t>(x)));
    // Largest steps: mu-law 1024 (segment 8, beyond the clip at 32124 more), A-law 1024.
    const int ulaw_bound = std::abs(x) > 32124 ? 32767 - 32124 + 1 : 512 + 4;
    ASSERT_LE(std::abs(u - x), ulaw_bound) << "x=" << x;
    ASSERT_LE(std::abs(a - x), 512 + 8) << "x=" << x;
  }
}

TEST(G711, DecodeThenEncodeIsIdentityExceptMuLawNegativeZero) {
  for (int c = 0; c < 256; ++c) {
    const uint8_t code = static_cast<uint8_t>(c);
    EXPECT_EQ(g711::alaw_encode(g711::alaw_decode(code)), code) << "A-law code " << c;
    const uint8_t back = g711::ulaw_encode(g711::ulaw_decode(code));
    EXPECT_EQ(back, c == 0x7F ? 0xFF : c) << "mu-law code " << c;
  }
}

TEST(G711, BulkFormsMatchScalar) {
  int16_t pcm[512];
  for (int i = 0; i < 512; ++i) pcm[i] = static_cast<int16_t>((i * 7919) % 65536 - 32768);
  uint8_t u[512], a[512];
  int16_t ud[512], ad[512];
  g711::ulaw_encode(pcm, 512, u);
  g711::alaw_encode(pcm, 512, a);
  g711::ulaw_decode(u, 512, ud);
  g711::alaw_decode(a, 512, ad);
  for (int i = 0; i < 512; ++i) {
    EXPECT_EQ(u[i], g711::ulaw_encode(pcm[i]));
    EXPECT_EQ(a[i], g711::alaw_encode(pcm[i]));
    EXPECT_EQ(ud[i], g711::ulaw_decode(u[i]));
    EXPECT_EQ(ad[i], g711::alaw_decode(a[i]));
  }
}
