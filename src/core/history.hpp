// History repair on the neutral conversation, before any backend renders it: Azure rejects a
// tool call without its result ("No tool output found for function call …") and a result
// without its call, and Claude Code (Esc during a tool, compaction) and OpenAI clients
// (tool_calls never answered) send both. Applied once, so every path gets a history Azure takes.
#pragma once

#include "core/conversation.hpp"

#include <string>
#include <vector>

namespace agp::conv {

inline constexpr std::string_view kInterruptedResult = "(no result: the tool call was interrupted)";

// A tool_use answered by no tool_result in the next turn gets a synthetic result saying it was
// interrupted; a tool_result that answers no call of the turn before becomes user text. Returns
// what was repaired, for the debug log.
std::vector<std::string> repair_tool_history(Conversation& c);

}  // namespace agp::conv
