// anthropic::parse_request on arbitrary bytes, for /v1/messages and /v1/messages/count_tokens:
// every input is either a request or an invalid_request_error, never a crash.
#include "anthropic/request.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = agp_fuzz::bytes(data, size);
  for (auto endpoint : {agp::anthropic::Endpoint::messages, agp::anthropic::Endpoint::count_tokens}) {
    auto r = agp::anthropic::parse_request(text, endpoint);
    if (r) {
      (void)agp::anthropic::thinking_budget_error(*r);
      (void)agp::anthropic::session_id_of(r->user_id);
    } else {
      agp_fuzz::check(!r.error().message.empty(), "a refused request names its problem");
    }
  }
  return 0;
}
