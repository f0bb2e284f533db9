// Request pieces every OpenAI-style backend renders the same way, differing only in spelling:
// the output limit, and tool_choice / parallel_tool_calls.
#pragma once

#include "core/conversation.hpp"
#include "core/tool_names.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>

namespace agp::openai {

// The output-token limit to send: the client's (at least `minimum`), capped by `cap` (0 = none);
// nullopt when neither the client nor the configuration gives one.
std::optional<std::int64_t> output_limit(const conv::Conversation& c, std::int64_t cap, std::int64_t minimum);

// tool_choice and parallel_tool_calls. Chat names a forced tool as {function:{name}}, the
// Responses API as {name} (`nested_name`).
void set_tool_choice(boost::json::object& body, const conv::Conversation& c, ToolNames& names, bool nested_name);

}  // namespace agp::openai
