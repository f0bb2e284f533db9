// The neutral answer rendered in Anthropic's protocol: a stream of events (through
// StreamBuilder), or one whole message. Which reasoning is shown is decided here, from what
// the client asked for (thinking on; display "omitted": signature only).
#pragma once

#include "anthropic/events.hpp"
#include "anthropic/stream_builder.hpp"
#include "core/answer.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>

namespace agp::anthropic {

struct AnswerView {
  std::string message_id;  // msg_…
  std::string model;       // echoed as the client asked
  std::int64_t input_tokens_estimate = 0;
  bool thinking = false;            // the client asked for thinking blocks
  bool omit_thinking_text = false;  // thinking.display == "omitted"
  bool thinking_tokens = false;     // anthropic-beta thinking-token-count-…: usage.output_tokens_details
  boost::json::value context_management;  // {applied_edits:[…]} when the request asked for context editing
};

std::string_view stop_reason_name(answer::StopReason r);
// Anthropic's input_tokens exclude cache reads (the upstream's input includes them).
FinalUsage anthropic_usage(const answer::Usage& u, bool thinking_tokens = false);
boost::json::object usage_json(const answer::Usage& u, bool thinking_tokens = false);

class StreamSink final : public answer::Sink {
 public:
  explicit StreamSink(const AnswerView& view);
  Events take();  // events produced since the last take

  void start() override;
  void reasoning_begin() override;
  void reasoning(std::string_view delta) override;
  void reasoning_end(std::string_view item_id, std::string_view encrypted_content) override;
  void text(std::string_view delta) override;
  void text_end() override;
  void tool_begin(std::string_view call_id, std::string_view name) override;
  void tool_args(std::string_view delta) override;
  void tool_end() override;
  void finish(answer::StopReason reason, const std::optional<std::string>& stop_sequence,
              const answer::Usage& usage) override;
  void refused(const Error& e, const answer::Usage& usage) override;
  void fail(const Error& e) override;

 private:
  AnswerView view_;
  StreamBuilder b_;
  Events out_;
  bool shown_ = false;  // the open reasoning item is shown as a thinking block
};

class MessageSink final : public answer::Sink {
 public:
  explicit MessageSink(const AnswerView& view);
  Result<boost::json::object> result();

  void start() override {}
  void reasoning_begin() override;
  void reasoning(std::string_view delta) override;
  void reasoning_end(std::string_view item_id, std::string_view encrypted_content) override;
  void text(std::string_view delta) override;
  void text_end() override;
  void tool_begin(std::string_view call_id, std::string_view name) override;
  void tool_args(std::string_view delta) override;
  void tool_end() override;
  void finish(answer::StopReason reason, const std::optional<std::string>& stop_sequence,
              const answer::Usage& usage) override;
  void refused(const Error& e, const answer::Usage& usage) override;
  void fail(const Error& e) override;

 private:
  AnswerView view_;
  boost::json::array content_;
  std::optional<std::string> thinking_;  // the reasoning item being collected
  std::string text_, tool_id_, tool_name_, tool_args_;
  std::optional<boost::json::object> message_;
  std::optional<Error> error_;
};

}  // namespace agp::anthropic
