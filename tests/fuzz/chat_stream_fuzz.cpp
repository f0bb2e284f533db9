// Azure Chat Completions chunk streams (SSE bytes) through the production translation.
#include "stream_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  agp_fuzz::run_stream(agp::exchange::Backend::chat, data, size);
  return 0;
}
