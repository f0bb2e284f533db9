// Whole (non-streamed) upstream answers: a chat.completion or a Responses response object,
// through exchange::translate_whole for either front end: an answer or an error, never a crash.
#include "core/tool_names.hpp"
#include "exchange/answer_pipeline.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace x = agp::exchange;
  auto text = agp_fuzz::bytes(data, size);
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec) return 0;  // the gateway refuses a body that is not JSON before decoding
  static const agp::openai::ToolNames names;
  unsigned knobs = size ? data[size - 1] : 0;
  for (auto backend : {x::Backend::chat, x::Backend::responses}) {
    x::AnswerOptions o;
    o.backend = backend;
    o.front = knobs & 1 ? x::Front::openai_chat : x::Front::anthropic;
    o.rules = {&names, knobs & 2 ? std::vector<std::string>{"STOP"} : std::vector<std::string>{}, 17};
    o.anthropic = {"msg_fuzz", "claude-sonnet-4-5", 17, (knobs & 4) != 0, (knobs & 8) != 0, (knobs & 16) != 0, {}};
    o.chat.client_model = "gpt-fuzz";
    o.upstream.deployment = "fuzz-dep";
    auto whole = x::translate_whole(o, v);
    if (whole.message) (void)boost::json::serialize(*whole.message);
  }
  return 0;
}
