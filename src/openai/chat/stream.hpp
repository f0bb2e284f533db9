// Azure Chat Completions stream → Anthropic stream events: a pure state machine.
// feed() takes one parsed chunk, finish() ends the message; fail() ends it with an error.
#pragma once

#include "anthropic/events.hpp"
#include "anthropic/stream_builder.hpp"
#include "core/error.hpp"
#include "openai/chat/response.hpp"
#include "openai/stop_matcher.hpp"

#include <boost/json.hpp>

#include <optional>
#include <set>
#include <string>

namespace agp::openai::chat {

class StreamTranslator {
 public:
  explicit StreamTranslator(AnswerContext ctx);

  anthropic::Events start();                                // message_start
  anthropic::Events feed(const boost::json::value& chunk);  // one `data:` object
  anthropic::Events feed_data(std::string_view data);       // raw `data:` text ([DONE] included)
  anthropic::Events finish();                               // upstream ended normally
  anthropic::Events fail(const Error& error);               // upstream failed mid-answer

  bool ended() const { return out_.ended(); }
  // A stop sequence matched before Azure finished: the caller cancels the upstream.
  bool stopped_early() const { return stopped_early_; }
  bool saw_finish() const { return !finish_reason_.empty(); }
  bool saw_done() const { return saw_done_; }
  const Usage& usage() const { return usage_; }
  const std::string& stop_reason() const { return stop_reason_; }
  std::size_t output_chars() const { return out_.output_chars(); }
  const std::optional<Error>& error() const { return error_; }

 private:
  AnswerContext ctx_;
  anthropic::StreamBuilder out_;
  StopMatcher stop_;
  bool stopped_early_ = false;
  int open_tool_ = -1;   // upstream tool_call index of the open tool block
  std::set<int> tools_;  // upstream tool indexes seen
  bool saw_done_ = false;
  std::string finish_reason_, stop_reason_;
  boost::json::value filter_results_;
  Usage usage_;
  std::optional<Error> error_;
};

}  // namespace agp::openai::chat
