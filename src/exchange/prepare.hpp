// The request half of the one exchange flow: a front end's neutral conversation, repaired once,
// rendered for the backend of the deployment that will answer (Chat Completions or Responses).
// The gateway and --replay both build upstream requests through this, and nothing else.
#pragma once

#include "core/capabilities.hpp"
#include "core/conversation.hpp"
#include "core/tool_names.hpp"
#include "exchange/answer_pipeline.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace agp::exchange {

// One deployment to send the conversation to, and how.
struct Target {
  std::string deployment;
  Backend backend = Backend::chat;
  bool reasoning = false;              // reasoning model: developer role, effort, no sampling parameters
  std::string api_version;             // Chat Completions api-version ("v1" or dated)
  std::string effort_override;         // BIG_EFFORT / SMALL_EFFORT
  std::string summary = "detailed";    // reasoning.summary ("" = none)
  std::int64_t max_output_tokens = 0;  // configured cap; 0 = none
  Capability caps;                     // what the deployment takes (configured and learned)
  std::string encoding;                // the tokenizer for counts: o200k_base | cl100k_base | "" (by name)
};

struct Prepared {
  Backend backend = Backend::chat;
  boost::json::object body;
  openai::ToolNames names;
  std::vector<std::string> dropped;       // what was not sent, for the debug log
  std::vector<std::string> answer_stops;  // stop sequences the proxy matches in the answer
  std::string max_field;                  // the body's output-limit field
  boost::json::value context_management;  // {applied_edits:[…]} when the client asked for context editing
};

Prepared prepare(conv::Conversation conv, const Target& target);

// Answer options for a prepared request: the rules (aliases, stops, estimate) come from it.
// `prepared` must outlive the options (they point at its tool names).
AnswerOptions answer_options(Front front, const conv::Conversation& conv, const Prepared& prepared,
                             std::int64_t input_tokens_estimate);

}  // namespace agp::exchange
