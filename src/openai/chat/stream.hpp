// Azure Chat Completions stream → Anthropic stream events: a pure state machine.
// feed() takes one parsed chunk, finish() ends the message; fail() ends it with an error.
#pragma once

#include "anthropic/events.hpp"
#include "core/error.hpp"
#include "openai/chat/response.hpp"

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace agp::openai::chat {

class StreamTranslator {
 public:
  explicit StreamTranslator(AnswerContext ctx);

  anthropic::Events start();                                  // message_start
  anthropic::Events feed(const boost::json::value& chunk);    // one `data:` object
  anthropic::Events feed_data(std::string_view data);         // raw `data:` text ([DONE] included)
  anthropic::Events finish();                                 // upstream ended normally
  anthropic::Events fail(const Error& error);                 // upstream failed mid-answer

  bool ended() const { return ended_; }
  bool saw_finish() const { return !finish_reason_.empty(); }
  bool saw_done() const { return saw_done_; }
  const Usage& usage() const { return usage_; }
  const std::string& stop_reason() const { return stop_reason_; }
  std::size_t output_chars() const { return output_chars_; }
  const std::optional<Error>& error() const { return error_; }

 private:
  enum class Open { none, text, thinking, tool };
  void close_block(anthropic::Events& out);
  void open_block(anthropic::Events& out, Open kind, boost::json::object block);
  void delta(anthropic::Events& out, boost::json::object d);

  AnswerContext ctx_;
  Open open_ = Open::none;
  int index_ = -1;             // index of the open (or last) block
  int open_tool_ = -1;         // upstream tool_call index of the open tool block
  std::map<int, bool> tools_;  // upstream tool index → started
  bool started_ = false, ended_ = false, saw_done_ = false, had_tools_ = false;
  std::string finish_reason_, stop_reason_;
  boost::json::value filter_results_;
  Usage usage_;
  std::size_t output_chars_ = 0;
  std::optional<Error> error_;
};

}  // namespace agp::openai::chat
