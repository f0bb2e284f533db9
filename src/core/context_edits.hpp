// Anthropic's context editing (context-management beta: `context_management.edits`), applied to
// the neutral conversation before any backend renders it, as Anthropic applies it server-side
// before the prompt reaches the model — so Azure is sent (and bills) the edited prompt too.
// Returns the `applied_edits` the answer reports.
#pragma once

#include "core/conversation.hpp"

#include <boost/json.hpp>

namespace agp::conv {

inline constexpr std::string_view kClearedToolResult = "[tool result cleared to save context]";

// clear_thinking_20251015 {keep: {type:"thinking_turns", value:N} | "all"; default 1 turn} and
// clear_tool_uses_20250919 {trigger {input_tokens|tool_uses} default 100000 input tokens, keep 3
// tool uses, clear_at_least, exclude_tools, clear_tool_inputs}. Input tokens are estimated as a
// quarter of the conversation's bytes (the exact count runs after the edits, on what is sent).
boost::json::array apply_context_edits(Conversation& c);

}  // namespace agp::conv
