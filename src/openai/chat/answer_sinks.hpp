// The neutral answer rendered in OpenAI's Chat Completions protocol (Cursor and every OpenAI
// SDK): `chat.completion.chunk` frames ending in [DONE], or one `chat.completion`. Reasoning
// summaries are shown as `<think>…</think>` at the start of the content (what Cursor renders),
// as `reasoning_content`, or not at all.
#pragma once

#include "core/answer.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agp::openai::chat {

enum class ReasoningDisplay { think, field, off };
ReasoningDisplay parse_reasoning_display(std::string_view s, bool& ok);

struct CompletionView {
  std::string client_model;
  std::string id;  // chatcmpl-…
  std::int64_t created = 0;
  ReasoningDisplay display = ReasoningDisplay::think;
  bool include_usage = false;  // stream_options.include_usage
};

std::string_view finish_reason_name(answer::StopReason r);
boost::json::object usage_json(const answer::Usage& u);

class ChunkSink final : public answer::Sink {
 public:
  explicit ChunkSink(const CompletionView& view);
  std::string take();  // SSE bytes produced since the last take

  void start() override;
  void reasoning_begin() override {}
  void reasoning(std::string_view delta) override;
  void reasoning_end(std::string_view, std::string_view) override {}
  void text(std::string_view delta) override;
  void text_end() override {}
  void tool_begin(std::string_view call_id, std::string_view name) override;
  void tool_args(std::string_view delta) override;
  void tool_end() override {}
  void finish(answer::StopReason reason, const std::optional<std::string>& stop_sequence,
              const answer::Usage& usage) override;
  void refused(const Error& e, const answer::Usage& usage) override;
  void fail(const Error& e) override;

 private:
  void chunk(boost::json::object delta, boost::json::value finish_reason = nullptr);
  void close_think();

  CompletionView view_;
  std::string out_;
  bool think_open_ = false;
  int tools_ = 0;  // tool_calls indexes handed out
};

class CompletionSink final : public answer::Sink {
 public:
  explicit CompletionSink(const CompletionView& view);
  Result<boost::json::object> result();

  void start() override {}
  void reasoning_begin() override {}
  void reasoning(std::string_view delta) override { reasoning_ += delta; }
  void reasoning_end(std::string_view, std::string_view) override {}
  void text(std::string_view delta) override { text_ += delta; }
  void text_end() override {}
  void tool_begin(std::string_view call_id, std::string_view name) override;
  void tool_args(std::string_view delta) override;
  void tool_end() override {}
  void finish(answer::StopReason reason, const std::optional<std::string>& stop_sequence,
              const answer::Usage& usage) override;
  void refused(const Error& e, const answer::Usage& usage) override;
  void fail(const Error& e) override { error_ = e; }

 private:
  CompletionView view_;
  std::string text_, reasoning_;
  boost::json::array calls_;
  std::optional<boost::json::object> completion_;
  std::optional<Error> error_;
};

}  // namespace agp::openai::chat
