#include "anthropic/answer_sinks.hpp"
#include "core/json_util.hpp"

#include "core/reasoning_signature.hpp"
#include "core/tool_names.hpp"

namespace agp::anthropic {

namespace json = boost::json;

std::string_view stop_reason_name(answer::StopReason r) {
  switch (r) {
    case answer::StopReason::end_turn:
      return "end_turn";
    case answer::StopReason::max_tokens:
      return "max_tokens";
    case answer::StopReason::tool_use:
      return "tool_use";
    case answer::StopReason::stop_sequence:
      return "stop_sequence";
    case answer::StopReason::content_filter:
      return "refusal";
  }
  return "end_turn";
}

FinalUsage anthropic_usage(const answer::Usage& u, bool thinking_tokens) {
  // Reasoning tokens are inside output_tokens (as Anthropic counts thinking) and, with the
  // thinking-token-count beta, also reported apart.
  return {std::max<std::int64_t>(u.input - u.cached, 0), u.cached, u.output, thinking_tokens ? u.reasoning : -1};
}

json::object usage_json(const answer::Usage& u, bool thinking_tokens) {
  return usage_object(anthropic_usage(u, thinking_tokens));
}

// --- stream ---

StreamSink::StreamSink(const AnswerView& view)
    : view_(view), b_(view.message_id, view.model, view.input_tokens_estimate) {}

Events StreamSink::take() {
  Events out;
  out.swap(out_);
  return out;
}

void StreamSink::start() {
  auto e = b_.start();
  out_.insert(out_.end(), e.begin(), e.end());
}

void StreamSink::reasoning_begin() {
  shown_ = view_.thinking;
  if (shown_) b_.open_thinking(out_);
}

void StreamSink::reasoning(std::string_view delta) {
  if (shown_ && !view_.omit_thinking_text) b_.thinking(out_, delta);
}

void StreamSink::reasoning_end(std::string_view item_id, std::string_view encrypted_content) {
  if (!shown_) return;
  if (!item_id.empty() && !encrypted_content.empty()) b_.signature(out_, make_signature(item_id, encrypted_content));
  b_.close(out_);
  shown_ = false;
}

void StreamSink::text(std::string_view delta) { b_.text(out_, delta); }
void StreamSink::text_end() { b_.close(out_); }
void StreamSink::tool_begin(std::string_view call_id, std::string_view name) {
  b_.open_tool(out_, openai::client_tool_use_id(call_id), std::string(name));
}
void StreamSink::tool_args(std::string_view delta) { b_.tool_input(out_, delta); }
void StreamSink::tool_end() { b_.close(out_); }

void StreamSink::finish(answer::StopReason reason, const std::optional<std::string>& stop_sequence,
                        const answer::Usage& usage) {
  b_.finish(out_, stop_reason_name(reason), stop_sequence, anthropic_usage(usage, view_.thinking_tokens),
            view_.context_management);
}

void StreamSink::refused(const Error& e, const answer::Usage&) { b_.fail(out_, e); }
void StreamSink::fail(const Error& e) { b_.fail(out_, e); }

// --- whole message ---

MessageSink::MessageSink(const AnswerView& view) : view_(view) {}

void MessageSink::reasoning_begin() {
  if (view_.thinking) thinking_ = std::string{};
}

void MessageSink::reasoning(std::string_view delta) {
  if (thinking_ && !view_.omit_thinking_text) *thinking_ += delta;
}

void MessageSink::reasoning_end(std::string_view item_id, std::string_view encrypted_content) {
  if (!thinking_) return;
  std::string sig = item_id.empty() || encrypted_content.empty() ? "" : make_signature(item_id, encrypted_content);
  if (!sig.empty() || !thinking_->empty())
    content_.push_back({{"type", "thinking"}, {"thinking", *thinking_}, {"signature", sig}});
  thinking_.reset();
}

void MessageSink::text(std::string_view delta) { text_ += delta; }

void MessageSink::text_end() {
  if (!text_.empty()) content_.push_back({{"type", "text"}, {"text", text_}});
  text_.clear();
}

void MessageSink::tool_begin(std::string_view call_id, std::string_view name) {
  tool_id_ = openai::client_tool_use_id(call_id);
  tool_name_ = std::string(name);
  tool_args_.clear();
}

void MessageSink::tool_args(std::string_view delta) { tool_args_ += delta; }

void MessageSink::tool_end() {
  boost::system::error_code ec;
  auto input = parse_json(tool_args_.empty() ? std::string_view("{}") : std::string_view(tool_args_), ec);
  // Arguments cut off by the length limit are never replaced by an invented object: the
  // block is left out (the answer says max_tokens).
  if (ec || !input.is_object()) return;
  content_.push_back({{"type", "tool_use"}, {"id", tool_id_}, {"name", tool_name_}, {"input", std::move(input)}});
}

void MessageSink::finish(answer::StopReason reason, const std::optional<std::string>& stop_sequence,
                         const answer::Usage& usage) {
  message_ = json::object{{"id", view_.message_id},
                          {"type", "message"},
                          {"role", "assistant"},
                          {"model", view_.model},
                          {"content", std::move(content_)},
                          {"stop_reason", stop_reason_name(reason)},
                          {"stop_sequence", stop_sequence ? json::value(*stop_sequence) : json::value(nullptr)},
                          {"usage", usage_json(usage, view_.thinking_tokens)}};
  if (!view_.context_management.is_null()) (*message_)["context_management"] = view_.context_management;
}

void MessageSink::refused(const Error& e, const answer::Usage&) { error_ = e; }
void MessageSink::fail(const Error& e) { error_ = e; }

Result<json::object> MessageSink::result() {
  if (error_) return *error_;
  if (!message_) return Error::internal("Azure OpenAI's answer ended without a result");
  return std::move(*message_);
}

}  // namespace agp::anthropic
