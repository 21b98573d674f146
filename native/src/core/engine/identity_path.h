// The pass-through paths, for a call whose two sides speak the same format (PCM16 at equal
// rates, or G.711 on both sides): a frame is copied unchanged.
#pragma once

#include <cstring>

#include "core/engine/path.h"

namespace parley::engine {

class IdentityCapturePath final : public CapturePath {
 public:
  explicit IdentityCapturePath(Format f) : frame_(frame_bytes(f)) {}
  std::size_t in_frame_bytes() const noexcept override { return frame_; }
  std::size_t out_max_bytes() const noexcept override { return frame_; }
  CaptureResult process(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept override {
    std::memcpy(out.data(), in.data(), frame_);
    return {frame_, VadEdge::kNone};
  }

 private:
  std::size_t frame_;
};

class IdentityPlayoutPath final : public PlayoutPath {
 public:
  explicit IdentityPlayoutPath(Format f) : frame_(frame_bytes(f)) {}
  std::size_t in_frame_bytes() const noexcept override { return frame_; }
  std::size_t out_frame_bytes() const noexcept override { return frame_; }
  void process(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept override {
    std::memcpy(out.data(), in.data(), frame_);
  }

 private:
  std::size_t frame_;
};

/** The pass-through pair for a call whose two sides share `formats.ai`'s format (ignores `playout`). */
inline CallPaths make_identity_paths(const CallFormats& formats, const PlayoutOptions& /*playout*/ = {}) {
  CallPaths paths;
  if (!(formats.telephony == formats.ai)) {
    paths.error = "the identity path needs the same format on both sides";
    return paths;
  }
  paths.capture = std::make_unique<IdentityCapturePath>(formats.telephony);
  paths.playout = std::make_unique<IdentityPlayoutPath>(formats.ai);
  return paths;
}

}  // namespace parley::engine
