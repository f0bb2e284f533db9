#include "openai/request_common.hpp"

#include "anthropic/content.hpp"

#include <algorithm>

namespace agp::openai {

std::optional<std::int64_t> output_limit(const conv::Conversation& c, std::int64_t cap, std::int64_t minimum) {
  if (!c.max_tokens_set && cap <= 0) return std::nullopt;
  std::int64_t n = std::max(c.max_tokens_set ? c.max_tokens : cap, minimum);
  if (cap > 0) n = std::min(n, std::max(cap, minimum));
  return n;
}

void set_tool_choice(boost::json::object& body, const conv::Conversation& c, ToolNames& names, bool nested_name) {
  if (!c.tool_choice) return;
  using conv::ToolChoiceType;
  const auto& tc = *c.tool_choice;
  if (tc.type == ToolChoiceType::tool) {
    auto name = names.to_upstream(tc.name);
    body["tool_choice"] = nested_name ? boost::json::object{{"type", "function"}, {"function", {{"name", name}}}}
                                      : boost::json::object{{"type", "function"}, {"name", name}};
  } else {
    body["tool_choice"] = anthropic::openai_tool_choice_mode(tc.type);
  }
  if (tc.disable_parallel_tool_use && tc.type != ToolChoiceType::none)
    body["parallel_tool_calls"] = false;
  else if (tc.parallel_tool_calls)
    body["parallel_tool_calls"] = true;
}

}  // namespace agp::openai
