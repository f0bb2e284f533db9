// Renders a scripted answer as an Azure Chat Completions response: one JSON body, or SSE frames.
#pragma once

#include "rules.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mock {

// The mock's token estimate for generated text: a token per four bytes, rounded up.
inline std::int64_t ceil4(std::size_t n) { return static_cast<std::int64_t>((n + 3) / 4); }

struct ReplyPlan {
  std::string id;  // chatcmpl-...
  std::int64_t created = 0;
  std::string model;  // <deployment>-2025-01-01
  bool has_text = false;
  std::string text;
  std::string reasoning;
  std::vector<ToolCallSpec> tool_calls;  // ids filled in
  std::string finish_reason;
  std::int64_t prompt_tokens = 0, completion_tokens = 0, cached_tokens = 0, reasoning_tokens = 0;
  std::vector<std::string> filter_categories;
  std::size_t chunk_size = 8;
  bool async_filter = false;
};

// Text of the request's last user message (string content or text parts joined).
std::string last_user_text(const boost::json::object& body);
// Role of the last message, or "".
std::string last_role(const boost::json::object& body);

ReplyPlan make_plan(const Respond& r, const boost::json::object& body, std::string_view deployment,
                    std::size_t body_bytes);
std::string render_json(const ReplyPlan& p);
// Every SSE frame ("data: ...\n\n"), ending with "data: [DONE]\n\n".
std::vector<std::string> render_stream(const ReplyPlan& p, bool include_usage);

std::string random_alnum(std::size_t n);
// Cuts `s` into pieces of about `size` bytes, never inside a UTF-8 sequence.
std::vector<std::string> split_utf8(std::string_view s, std::size_t size);
// At most `n` bytes of `s`, cut at a UTF-8 boundary.
std::string utf8_prefix(std::string_view s, std::size_t n);

}  // namespace mock
