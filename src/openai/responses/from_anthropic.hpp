// Anthropic Messages request → Azure Responses request (pure), for deployments served by the
// Responses API (gpt-5 family, codex): thinking blocks carry reasoning across turns.
#pragma once

#include "anthropic/request.hpp"
#include "core/reasoning_signature.hpp"
#include "core/tool_names.hpp"

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

// Effort for a Responses deployment: override, else thinking/effort, else (thinking disabled)
// the lowest the family takes.
std::string responses_effort(const anthropic::MessagesRequest& req, const FromAnthropicOptions& opts);

}  // namespace agp::openai::responses
