// Renders a scripted answer as a Responses API result: one `response` object, or `event:`/`data:` SSE frames.
#pragma once

#include "rules.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mock {

struct ResponsesPlan {
  boost::json::object base;  // the response object without status/output/usage
  std::optional<std::string> reasoning_summary;
  std::string reasoning_id;
  std::optional<std::string> encrypted_content;
  bool has_text = false;
  std::string text, message_id;
  std::vector<ToolCallSpec> tool_calls;  // call ids filled in
  std::vector<std::string> item_ids;     // fc_… per tool call
  bool incomplete = false;
  std::optional<std::string> failed, error_event;
  std::int64_t input_tokens = 0, output_tokens = 0, cached_tokens = 0, reasoning_tokens = 0;
  std::size_t chunk_size = 8;
};

// "user" (last item a user message or a plain-string input), "tool" (function_call_output), else "assistant".
std::string responses_last_role(const boost::json::object& body);
// input_text of the last user message (or the plain-string input).
std::string responses_last_user_text(const boost::json::object& body);

ResponsesPlan make_responses_plan(const Respond& r, const boost::json::object& body, std::string_view deployment,
                                  bool reasoning_model, std::size_t body_bytes);
// Non-streaming answer: HTTP status and body (200 + response object; 500/429 for `failed`/`error_event`).
std::pair<unsigned, std::string> render_responses_json(const ResponsesPlan& p);
// Every SSE frame ("event: …\ndata: …\n\n"), ending with the terminal event (no [DONE]).
std::vector<std::string> render_responses_stream(const ResponsesPlan& p);

}  // namespace mock
