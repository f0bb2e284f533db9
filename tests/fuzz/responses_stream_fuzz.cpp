// Azure Responses API event streams (SSE bytes) through the production translation: the
// Responses event parser (openai/responses/decode) behind wire::SseParser.
#include "stream_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  agp_fuzz::run_stream(agp::exchange::Backend::responses, data, size);
  return 0;
}
