// Helpers shared by the engine tests: reading a call's output records, making formats.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "core/engine/call.h"
#include "core/ring/chunk_ring.h"

namespace parley::engine::test {

struct Frame {
  std::uint32_t epoch = 0, item = 0, samples = 0;
  std::vector<std::uint8_t> bytes;
};

/** Everything the media thread emitted since the last call, parsed (control thread). */
inline std::vector<Frame> read_frames(Call& call) {
  std::vector<std::uint8_t> raw(call.playout_out_available());
  call.read_playout_out(raw);
  std::vector<Frame> frames;
  std::size_t at = 0;
  while (at + sizeof(ring::ChunkHeader) <= raw.size()) {
    ring::ChunkHeader h;
    std::memcpy(&h, raw.data() + at, sizeof h);
    at += sizeof h;
    Frame f{h.epoch, h.item, h.aux, {raw.begin() + static_cast<std::ptrdiff_t>(at), raw.begin() + static_cast<std::ptrdiff_t>(at + h.len)}};
    at += h.len;
    frames.push_back(std::move(f));
  }
  return frames;
}

inline std::vector<std::uint8_t> read_capture(Call& call) {
  std::vector<std::uint8_t> raw(call.capture_out_available());
  call.read_capture_out(raw);
  return raw;
}

inline CallConfig pcm16_call(std::uint32_t rate = 24000, std::uint32_t lookahead_ms = 80) {
  CallConfig cfg;
  cfg.formats.telephony = {Codec::kPcm16, rate};
  cfg.formats.ai = {Codec::kPcm16, rate};
  cfg.lookahead_ms = lookahead_ms;
  return cfg;
}

/** The never-zero PCM16 sample number `i` of `item` (silence padding is 0). */
inline std::uint16_t sample_of(std::uint32_t item, std::size_t i) {
  return static_cast<std::uint16_t>(1 + (item * 7919 + i) % 30000);
}

/** `samples` PCM16 samples of `item`, starting at sample number `first`. */
inline std::vector<std::uint8_t> tagged_pcm(std::uint32_t item, std::size_t samples, std::size_t first = 0) {
  std::vector<std::uint8_t> v(samples * 2);
  for (std::size_t i = 0; i < samples; ++i) {
    const std::uint16_t s = sample_of(item, first + i);
    std::memcpy(v.data() + 2 * i, &s, 2);
  }
  return v;
}

}  // namespace parley::engine::test
