// Azure Responses answer → Anthropic message (pure): the stream state machine (reasoning →
// thinking with a signature carrying the encrypted reasoning, text, tool_use, stop sequences
// emulated) and the non-streaming conversion.
#pragma once

#include "anthropic/events.hpp"
#include "anthropic/stream_builder.hpp"
#include "core/error.hpp"
#include "openai/azure_errors.hpp"
#include "openai/responses/common.hpp"
#include "openai/stop_matcher.hpp"
#include "openai/tool_names.hpp"

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace agp::openai::responses {

struct ToAnthropicContext {
  std::string client_model;
  std::string message_id;
  const ToolNames* names = nullptr;
  std::int64_t input_tokens_estimate = 0;
  bool thinking = false;            // the client asked for thinking blocks
  bool omit_thinking_text = false;  // thinking.display == "omitted": signature only
  std::vector<std::string> stop_sequences;
  UpstreamContext upstream;
};

class AnthropicStream {
 public:
  explicit AnthropicStream(ToAnthropicContext ctx);
  anthropic::Events start();
  anthropic::Events feed(std::string_view event, std::string_view data);
  anthropic::Events finish();  // upstream ended
  anthropic::Events fail(const Error& e);
  bool ended() const { return out_.ended(); }
  // A stop sequence matched before Azure finished: the caller cancels the upstream.
  bool stopped_early() const { return stopped_early_; }
  const Usage& usage() const { return usage_; }
  const std::optional<Error>& error() const { return error_; }

 private:
  void flush_text(anthropic::Events& out);
  void complete(anthropic::Events& out, const boost::json::object& response, bool incomplete);
  std::int64_t estimated_output() const;

  ToAnthropicContext ctx_;
  anthropic::StreamBuilder out_;
  StopMatcher stop_;
  std::map<std::string, bool> args_streamed_;  // function_call item id → saw argument deltas
  int last_summary_index_ = -1;
  bool in_reasoning_ = false, stopped_early_ = false;
  Usage usage_;
  std::optional<Error> error_;
};

Result<boost::json::object> to_anthropic_message(const boost::json::value& response, const ToAnthropicContext& ctx);

}  // namespace agp::openai::responses
