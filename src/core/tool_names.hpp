// Tool names and call ids that OpenAI-style APIs accept, mapped stably both ways.
// OpenAI function names are [A-Za-z0-9_-]{1,64}; Chat tool_call ids are rejected above 40 chars.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace agp::openai {

// Valid names pass unchanged; others become a sanitized prefix + a hash of the original,
// so the same client name always maps to the same alias (history included).
std::string upstream_tool_name(std::string_view name);
bool valid_tool_name(std::string_view name);

// Remembers the aliases of one request so answers can be mapped back.
class ToolNames {
 public:
  std::string to_upstream(std::string_view client_name);  // records the pair
  std::string to_client(std::string_view upstream_name) const;

 private:
  std::unordered_map<std::string, std::string> back_;
};

// Client tool_use id → upstream call id (≤ 40, [A-Za-z0-9_-]).
std::string upstream_call_id(std::string_view id);
// "toolu_X" → "call_X" (the exact inverse of client_tool_use_id); other ids unchanged.
std::string call_id_from_tool_use_id(std::string_view id);
// Upstream call id → Anthropic tool_use id ("toolu_…", [A-Za-z0-9_-]).
std::string client_tool_use_id(std::string_view upstream_id);
// Client call id → Responses API call id (≤ 64; longer ones get a stable short form).
std::string responses_call_id(std::string_view id);

}  // namespace agp::openai
