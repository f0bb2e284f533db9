// Azure Responses answer → OpenAI Chat Completions answer (pure): a state machine from stream
// events to `chat.completion.chunk` frames, and the non-streaming conversion.
#pragma once

#include "core/error.hpp"
#include "openai/responses/common.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace agp::openai::responses {

// How reasoning summaries reach the user: inside <think>…</think> at the start of the
// content (what Cursor renders), as delta.reasoning_content, or not at all.
enum class ReasoningDisplay { think, field, off };
ReasoningDisplay parse_reasoning_display(std::string_view s, bool& ok);

struct ToChatContext {
  std::string client_model;
  std::string id;  // chatcmpl-…
  std::int64_t created = 0;
  ReasoningDisplay display = ReasoningDisplay::think;
  bool include_usage = false;
  UpstreamContext upstream;  // names the deployment in error messages
};

class ChunkStream {
 public:
  explicit ChunkStream(ToChatContext ctx);
  std::string start();                                              // the role chunk
  std::string feed(std::string_view event, std::string_view data);  // one upstream SSE frame
  std::string finish();                                             // upstream ended
  std::string fail(const Error& e);                                 // error chunk, then [DONE]
  bool ended() const { return ended_; }
  const Usage& usage() const { return usage_; }
  const std::string& finish_reason() const { return finish_reason_; }
  const std::optional<Error>& error() const { return error_; }

 private:
  std::string chunk(boost::json::object delta, boost::json::value finish_reason = nullptr);
  std::string content(std::string_view text);
  std::string close_think();
  std::string complete(const boost::json::object& response, std::string_view type);

  ToChatContext ctx_;
  bool ended_ = false, think_open_ = false, reasoning_seen_ = false;
  int last_summary_index_ = -1;
  std::map<std::string, int> tool_index_;      // item id → tool_calls index
  std::map<std::string, bool> args_streamed_;  // item id → saw argument deltas
  std::string finish_reason_;
  Usage usage_;
  std::optional<Error> error_;
};

// A complete Response object → chat.completion.
Result<boost::json::object> to_chat_completion(const boost::json::value& response, const ToChatContext& ctx);

}  // namespace agp::openai::responses
