// G.711 on arbitrary bytes: bulk and scalar forms agree, decoding is total, and the codec
// is idempotent after one round (encode(decode(c)) decodes to the same level as c).
#include <cstdint>
#include <vector>

#include "core/dsp/g711.h"
#include "fuzz_input.h"

using namespace parley::dsp::g711;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  parley::fuzz::Input in(data, size);
  const bool alaw = in.flag();
  auto codes = in.bytes(4096);
  const std::size_t n = codes.size();

  std::vector<std::int16_t> pcm(n);
  std::vector<std::uint8_t> back(n);
  if (alaw) {
    alaw_decode(codes.data(), n, pcm.data());
    alaw_encode(pcm.data(), n, back.data());
  } else {
    ulaw_decode(codes.data(), n, pcm.data());
    ulaw_encode(pcm.data(), n, back.data());
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::int16_t level = alaw ? alaw_decode(codes[i]) : ulaw_decode(codes[i]);
    PARLEY_FUZZ_CHECK(pcm[i] == level);
    const std::int16_t again = alaw ? alaw_decode(back[i]) : ulaw_decode(back[i]);
    PARLEY_FUZZ_CHECK(again == level);
  }

  // The same bytes read as PCM16 (odd tail ignored): table encoders equal the reference.
  const std::size_t samples = n / 2;
  std::vector<std::int16_t> x(samples);
  for (std::size_t i = 0; i < samples; ++i) x[i] = static_cast<std::int16_t>(codes[2 * i] | (codes[2 * i + 1] << 8));
  std::vector<std::uint8_t> enc(samples);
  if (alaw) alaw_encode(x.data(), samples, enc.data());
  else ulaw_encode(x.data(), samples, enc.data());
  for (std::size_t i = 0; i < samples; ++i) {
    PARLEY_FUZZ_CHECK(enc[i] == (alaw ? alaw_encode(x[i]) : ulaw_encode(x[i])));
  }
  return 0;
}
