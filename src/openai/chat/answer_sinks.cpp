#include "openai/chat/answer_sinks.hpp"

#include "openai/errors.hpp"
#include "wire/sse.hpp"

namespace agp::openai::chat {

namespace json = boost::json;

ReasoningDisplay parse_reasoning_display(std::string_view s, bool& ok) {
  ok = true;
  if (s.empty() || s == "think") return ReasoningDisplay::think;
  if (s == "field") return ReasoningDisplay::field;
  if (s == "off") return ReasoningDisplay::off;
  ok = false;
  return ReasoningDisplay::think;
}

std::string_view finish_reason_name(answer::StopReason r) {
  switch (r) {
    case answer::StopReason::max_tokens:
      return "length";
    case answer::StopReason::tool_use:
      return "tool_calls";
    case answer::StopReason::content_filter:
      return "content_filter";
    case answer::StopReason::end_turn:
    case answer::StopReason::stop_sequence:
      return "stop";
  }
  return "stop";
}

json::object usage_json(const answer::Usage& u) {
  return {{"prompt_tokens", u.input},
          {"completion_tokens", u.output},
          {"total_tokens", u.input + u.output},
          {"prompt_tokens_details", {{"cached_tokens", u.cached}}},
          {"completion_tokens_details", {{"reasoning_tokens", u.reasoning}}}};
}

namespace {
std::string data(const json::value& v) { return wire::format_sse("", json::serialize(v)); }
}  // namespace

// --- stream ---

ChunkSink::ChunkSink(const CompletionView& view) : view_(view) {}

std::string ChunkSink::take() {
  std::string out;
  out.swap(out_);
  return out;
}

void ChunkSink::chunk(json::object delta, json::value finish_reason) {
  json::object c{{"id", view_.id},
                 {"object", "chat.completion.chunk"},
                 {"created", view_.created},
                 {"model", view_.client_model},
                 {"choices", json::array{json::object{{"index", 0},
                                                      {"delta", std::move(delta)},
                                                      {"logprobs", nullptr},
                                                      {"finish_reason", std::move(finish_reason)}}}}};
  if (view_.include_usage) c["usage"] = nullptr;
  out_ += data(c);
}

void ChunkSink::close_think() {
  if (!think_open_) return;
  think_open_ = false;
  chunk({{"content", "\n</think>\n\n"}});
}

void ChunkSink::start() { chunk({{"role", "assistant"}, {"content", ""}}); }

void ChunkSink::reasoning(std::string_view delta) {
  if (view_.display == ReasoningDisplay::off) return;
  if (view_.display == ReasoningDisplay::field) return chunk({{"reasoning_content", delta}});
  std::string text(delta);
  if (!think_open_) {
    think_open_ = true;
    text = "<think>\n" + text;
  }
  chunk({{"content", text}});
}

void ChunkSink::text(std::string_view delta) {
  close_think();
  chunk({{"content", delta}});
}

void ChunkSink::tool_begin(std::string_view call_id, std::string_view name) {
  close_think();
  json::object call{
      {"index", tools_++}, {"id", call_id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", ""}}}};
  chunk({{"tool_calls", json::array{std::move(call)}}});
}

void ChunkSink::tool_args(std::string_view delta) {
  chunk({{"tool_calls", json::array{json::object{{"index", tools_ - 1}, {"function", {{"arguments", delta}}}}}}});
}

void ChunkSink::finish(answer::StopReason reason, const std::optional<std::string>&, const answer::Usage& usage) {
  close_think();
  json::value finish = json::string(finish_reason_name(reason));
  if (view_.include_usage) {
    chunk({}, finish);
    json::object u{{"id", view_.id},           {"object", "chat.completion.chunk"},
                   {"created", view_.created}, {"model", view_.client_model},
                   {"choices", json::array{}}, {"usage", usage_json(usage)}};
    out_ += data(u);
  } else {
    // Clients that did not ask for a usage chunk still find the totals in the last chunk they read.
    json::object c{
        {"id", view_.id},
        {"object", "chat.completion.chunk"},
        {"created", view_.created},
        {"model", view_.client_model},
        {"choices", json::array{json::object{
                        {"index", 0}, {"delta", json::object{}}, {"logprobs", nullptr}, {"finish_reason", finish}}}},
        {"usage", usage_json(usage)}};
    out_ += data(c);
  }
  out_ += "data: [DONE]\n\n";
}

void ChunkSink::refused(const Error&, const answer::Usage& usage) {
  finish(answer::StopReason::content_filter, std::nullopt, usage);
}

void ChunkSink::fail(const Error& e) {
  close_think();
  // The OpenAI SDK raises an APIError for a data object with a top-level "error" key.
  out_ += data(error_body(e)) + "data: [DONE]\n\n";
}

// --- whole completion ---

CompletionSink::CompletionSink(const CompletionView& view) : view_(view) {}

void CompletionSink::tool_begin(std::string_view call_id, std::string_view name) {
  calls_.push_back({{"id", call_id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", ""}}}});
}

void CompletionSink::tool_args(std::string_view delta) {
  auto& args = calls_.back().as_object()["function"].as_object()["arguments"].as_string();
  args.append(delta);
}

void CompletionSink::finish(answer::StopReason reason, const std::optional<std::string>&, const answer::Usage& usage) {
  json::object message{{"role", "assistant"}, {"refusal", nullptr}};
  std::string content = text_;
  if (!reasoning_.empty() && view_.display == ReasoningDisplay::think)
    content = "<think>\n" + reasoning_ + "\n</think>\n\n" + content;
  if (!reasoning_.empty() && view_.display == ReasoningDisplay::field) message["reasoning_content"] = reasoning_;
  message["content"] = content.empty() && !calls_.empty() ? json::value(nullptr) : json::value(content);
  if (!calls_.empty()) message["tool_calls"] = std::move(calls_);
  completion_ = json::object{{"id", view_.id},
                             {"object", "chat.completion"},
                             {"created", view_.created},
                             {"model", view_.client_model},
                             {"choices", json::array{json::object{{"index", 0},
                                                                  {"message", std::move(message)},
                                                                  {"logprobs", nullptr},
                                                                  {"finish_reason", finish_reason_name(reason)}}}},
                             {"usage", usage_json(usage)}};
}

void CompletionSink::refused(const Error&, const answer::Usage& usage) {
  finish(answer::StopReason::content_filter, std::nullopt, usage);
}

Result<json::object> CompletionSink::result() {
  if (error_) return *error_;
  if (!completion_) return Error::internal("Azure OpenAI's answer ended without a result");
  return std::move(*completion_);
}

}  // namespace agp::openai::chat
