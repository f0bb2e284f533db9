// Azure Chat Completions answer → Anthropic message (pure). Shared pieces of the
// stream translator (usage, stop reason) live here too.
#pragma once

#include "core/error.hpp"
#include "openai/tool_names.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agp::openai::chat {

struct AnswerContext {
  std::string client_model;  // echoed as "model"
  std::string message_id;    // "msg_…"
  const ToolNames* names = nullptr;
  std::int64_t input_tokens_estimate = 0;   // for message_start, before Azure's usage arrives
  std::vector<std::string> stop_sequences;  // matched by the proxy (see emulates_stop)
};

struct Usage {
  std::int64_t prompt_tokens = 0, completion_tokens = 0, cached_tokens = 0, reasoning_tokens = 0;
  bool seen = false;
};

Usage parse_usage(const boost::json::value* usage);
// Anthropic usage: input excludes cache reads (Chat's prompt_tokens includes them).
boost::json::object anthropic_usage(const Usage& u);
// stop → end_turn, length → max_tokens, tool_calls → tool_use; "" for content_filter (an error).
std::string stop_reason_of(std::string_view finish_reason, bool had_tool_calls);
// Error for an answer the content filter cut, naming the categories.
Error content_filter_error(const boost::json::value* choice_filter_results);

Result<boost::json::object> to_anthropic_message(const boost::json::value& chat, const AnswerContext& ctx);

}  // namespace agp::openai::chat
