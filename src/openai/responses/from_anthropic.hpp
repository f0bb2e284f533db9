// Anthropic Messages request → Azure Responses request (pure), for deployments served by the
// Responses API (gpt-5 family, codex): thinking blocks carry reasoning across turns.
#pragma once

#include "anthropic/request.hpp"
#include "openai/tool_names.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace agp::openai::responses {

struct FromAnthropicOptions {
  std::string deployment;
  bool reasoning = true;             // send `reasoning` (and drop sampling parameters)
  std::string effort_override;       // BIG_EFFORT / SMALL_EFFORT; "" = from the request
  std::string summary = "detailed";  // reasoning.summary when thinking is on
  std::int64_t max_output_tokens = 0;
};

struct FromAnthropic {
  boost::json::object body;
  ToolNames names;
  bool thinking = false;  // the client asked for thinking: reasoning comes back as thinking blocks
  std::vector<std::string> dropped;
};

FromAnthropic from_anthropic_request(const anthropic::MessagesRequest& req, const FromAnthropicOptions& opts);

// Our thinking-block signatures: "agp1:" + reasoning item id + ":" + encrypted_content.
// Anything else (e.g. a real Anthropic signature) is foreign and is dropped.
std::string make_signature(std::string_view item_id, std::string_view encrypted_content);
struct ReasoningRef {
  std::string id, encrypted_content;
};
std::optional<ReasoningRef> parse_signature(std::string_view signature);

// Effort for a Responses deployment: override, else thinking/effort, else (thinking disabled)
// the lowest the family takes.
std::string responses_effort(const anthropic::MessagesRequest& req, const FromAnthropicOptions& opts);

}  // namespace agp::openai::responses
