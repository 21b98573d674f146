// Audio formats as the engine sizes them: codec, rate, bytes per sample, one 20 ms frame.
#pragma once

#include <cstddef>
#include <cstdint>

namespace parley::engine {

enum class Codec : std::uint8_t { kPcm16 = 0, kMulaw = 1, kAlaw = 2 };

struct Format {
  Codec codec = Codec::kPcm16;
  std::uint32_t rate = 8000;  // 8000 | 16000 | 24000 | 48000

  bool operator==(const Format&) const = default;
};

inline constexpr std::uint32_t kFrameMs = 20;

constexpr bool valid_rate(std::uint32_t rate) noexcept {
  return rate == 8000 || rate == 16000 || rate == 24000 || rate == 48000;
}

/** Bytes per (mono) sample: PCM16LE 2, G.711 1. */
constexpr std::size_t bytes_per_sample(Codec c) noexcept { return c == Codec::kPcm16 ? 2 : 1; }

/** Samples in one 20 ms frame at `rate`. */
constexpr std::size_t frame_samples(std::uint32_t rate) noexcept { return rate / (1000 / kFrameMs); }

constexpr std::size_t frame_bytes(Format f) noexcept { return frame_samples(f.rate) * bytes_per_sample(f.codec); }

/** Bytes of `ms` milliseconds of audio. */
constexpr std::size_t bytes_for_ms(Format f, std::uint32_t ms) noexcept {
  return static_cast<std::size_t>(f.rate) * ms / 1000 * bytes_per_sample(f.codec);
}

/** The byte that encodes silence: 0 for PCM16, 0xFF for mu-law, 0xD5 for A-law. */
constexpr std::uint8_t silence_byte(Codec c) noexcept {
  return c == Codec::kMulaw ? 0xFF : c == Codec::kAlaw ? 0xD5 : 0x00;
}

}  // namespace parley::engine
