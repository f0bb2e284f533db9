// wire::SseParser: bytes in any split give the same frames (the upstream's TCP reads split
// anywhere), and the frames' data never holds more than the input did.
#include "fuzz_util.hpp"
#include "wire/sse.hpp"

#include <vector>

namespace {
std::vector<agp::wire::SseFrame> parse(std::string_view text, std::size_t piece) {
  agp::wire::SseParser p;
  std::vector<agp::wire::SseFrame> out;
  for (std::size_t at = 0; at < text.size(); at += piece) {
    auto frames = p.feed(text.substr(at, piece));
    out.insert(out.end(), frames.begin(), frames.end());
  }
  auto tail = p.finish();
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = agp_fuzz::bytes(data, size);
  auto whole = parse(text, text.size() + 1);
  std::size_t piece = size ? 1 + data[0] % 13 : 1;
  auto split = parse(text, piece);
  agp_fuzz::check(whole.size() == split.size(), "the same number of frames in any split");
  std::size_t total = 0;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    agp_fuzz::check(whole[i].event == split[i].event && whole[i].data == split[i].data, "the same frames in any split");
    total += whole[i].data.size();
  }
  agp_fuzz::check(total <= size, "frames hold no more data than the input");
  return 0;
}
