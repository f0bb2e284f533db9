// The Cursor (OpenAI chat) request translator on arbitrary bytes: a conversation or an error.
#include "fuzz_util.hpp"
#include "openai/chat/from_client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = agp_fuzz::bytes(data, size);
  auto r = agp::openai::chat::from_client_body(text);
  if (!r) agp_fuzz::check(!r.error().message.empty(), "a refused request names its problem");
  (void)agp::openai::chat::without_think_prefix(text);
  return 0;
}
