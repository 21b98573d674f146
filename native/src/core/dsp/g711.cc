#include "core/dsp/g711.h"

namespace parley::dsp::g711 {

void ulaw_encode(const int16_t* in, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = detail::kUlawEnc[static_cast<size_t>((in[i] >> 2) + 8192)];
}
void ulaw_decode(const uint8_t* in, size_t n, int16_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = detail::kUlaw[in[i]];
}
void alaw_encode(const int16_t* in, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = detail::kAlawEnc[static_cast<size_t>((in[i] >> 4) + 2048)];
}
void alaw_decode(const uint8_t* in, size_t n, int16_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = detail::kAlaw[in[i]];
}

}  // namespace parley::dsp::g711
