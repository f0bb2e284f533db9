// Test drivers over the real exchange pipeline (exchange::StreamTranslation / translate_whole /
// prepare): each backend × front end pairing the gateway uses, with the small contexts the
// table tests are written in. Nothing here translates: it only feeds the production code.
#pragma once

#include "anthropic/events.hpp"
#include "core/tool_names.hpp"
#include "exchange/answer_pipeline.hpp"
#include "exchange/flow.hpp"
#include "exchange/prepare.hpp"
#include "wire/sse.hpp"

#include <boost/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace agp_test {

namespace x = agp::exchange;
using agp::openai::chat::ReasoningDisplay;

// Anthropic events back from the SSE bytes a pipeline wrote.
inline agp::anthropic::Events events_of(const std::string& sse) {
  agp::wire::SseParser p;
  auto frames = p.feed(sse);
  auto tail = p.finish();
  frames.insert(frames.end(), tail.begin(), tail.end());
  agp::anthropic::Events out;
  for (auto& f : frames) out.push_back({f.event, boost::json::parse(f.data).as_object()});
  return out;
}

// Chat Completions backend → Anthropic client.
struct AnswerContext {
  std::string client_model, message_id;
  const agp::openai::ToolNames* names = nullptr;
  std::int64_t input_tokens_estimate = 0;
  std::vector<std::string> stop_sequences;
  bool thinking = true;  // the client asked for thinking (reasoning_content is shown)
};

inline x::AnswerOptions options(const AnswerContext& c) {
  x::AnswerOptions o;
  o.front = x::Front::anthropic;
  o.backend = x::Backend::chat;
  o.rules = {c.names, c.stop_sequences, c.input_tokens_estimate};
  o.anthropic = {c.message_id, c.client_model, c.input_tokens_estimate, c.thinking, false};
  return o;
}

// Responses backend → Anthropic client.
struct ToAnthropicContext {
  std::string client_model, message_id;
  const agp::openai::ToolNames* names = nullptr;
  std::int64_t input_tokens_estimate = 0;
  bool thinking = false, omit_thinking_text = false;
  std::vector<std::string> stop_sequences;
  agp::openai::UpstreamContext upstream;
};

inline x::AnswerOptions options(const ToAnthropicContext& c) {
  x::AnswerOptions o;
  o.front = x::Front::anthropic;
  o.backend = x::Backend::responses;
  o.rules = {c.names, c.stop_sequences, c.input_tokens_estimate};
  o.anthropic = {c.message_id, c.client_model, c.input_tokens_estimate, c.thinking, c.omit_thinking_text};
  o.upstream = c.upstream;
  return o;
}

// Responses backend → OpenAI chat client.
struct ToChatContext {
  std::string client_model, id;
  std::int64_t created = 0;
  ReasoningDisplay display = ReasoningDisplay::think;
  bool include_usage = false;
  agp::openai::UpstreamContext upstream;
  const agp::openai::ToolNames* names = nullptr;
  x::Backend backend = x::Backend::responses;
};

inline x::AnswerOptions options(const ToChatContext& c) {
  x::AnswerOptions o;
  o.front = x::Front::openai_chat;
  o.backend = c.backend;
  o.rules = {c.names, {}, 0};
  o.chat = {c.client_model, c.id, c.created, c.display, c.include_usage};
  o.upstream = c.upstream;
  return o;
}

// A stream translation driven the way pump() drives it, Anthropic events out.
class AnthropicRun {
 public:
  template <typename Ctx>
  explicit AnthropicRun(const Ctx& ctx) : t_(options(ctx)) {}
  agp::anthropic::Events start() { return events_of(t_.start()); }
  agp::anthropic::Events feed_data(std::string_view data) { return events_of(t_.frame({"", std::string(data)})); }
  agp::anthropic::Events feed(const boost::json::value& chunk) { return feed_data(boost::json::serialize(chunk)); }
  agp::anthropic::Events feed(std::string_view event, std::string_view data) {
    return events_of(t_.frame({std::string(event), std::string(data)}));
  }
  agp::anthropic::Events finish() { return events_of(t_.finish()); }
  agp::anthropic::Events fail(const agp::Error& e) { return events_of(t_.fail(e)); }
  bool ended() const { return t_.ended(); }
  bool stopped_early() const { return t_.stopped_early(); }
  const agp::answer::Usage& usage() const { return t_.usage(); }
  const std::optional<agp::Error>& error() const { return t_.error(); }

 private:
  x::StreamTranslation t_;
};
using StreamTranslator = AnthropicRun;
using AnthropicStream = AnthropicRun;

// The same for an OpenAI chat client: chunk bytes out.
class ChunkStream {
 public:
  explicit ChunkStream(const ToChatContext& ctx) : t_(options(ctx)) {}
  std::string start() { return t_.start(); }
  std::string feed(std::string_view event, std::string_view data) {
    return t_.frame({std::string(event), std::string(data)});
  }
  std::string finish() { return t_.finish(); }
  std::string fail(const agp::Error& e) { return t_.fail(e); }
  bool ended() const { return t_.ended(); }
  const agp::answer::Usage& usage() const { return t_.usage(); }
  const std::optional<agp::Error>& error() const { return t_.error(); }
  std::string finish_reason() const {
    auto r = t_.stop_reason();
    return r ? std::string(agp::openai::chat::finish_reason_name(*r)) : std::string{};
  }

 private:
  x::StreamTranslation t_;
};

template <typename Ctx>
agp::Result<boost::json::object> whole(const boost::json::value& upstream, const Ctx& ctx) {
  return x::translate_whole(options(ctx), upstream).message;
}
inline agp::Result<boost::json::object> to_anthropic_message(const boost::json::value& v, const AnswerContext& c) {
  return whole(v, c);
}
inline agp::Result<boost::json::object> to_anthropic_message(const boost::json::value& v, const ToAnthropicContext& c) {
  return whole(v, c);
}
inline agp::Result<boost::json::object> to_chat_completion(const boost::json::value& v, const ToChatContext& c) {
  return whole(v, c);
}

// An OpenAI chat client's request → the Responses body, through the gateway's own preparation.
struct FromChatOptions {
  std::string deployment;
  std::string effort;                // gpt-<effort>: "" = from the request
  std::string summary = "detailed";  // "" = none
  bool reasoning = true;
};
struct FromChat {
  boost::json::object body;
  bool stream = false, include_usage = false;
  std::vector<std::string> dropped;
};
inline agp::Result<FromChat> from_chat_request(const boost::json::value& body, const FromChatOptions& o,
                                               x::Backend backend = x::Backend::responses) {
  std::string text = boost::json::serialize(body);
  auto conv = x::parse_client_request({x::Front::openai_chat, text, {}});
  if (!conv) return conv.error();
  if (!o.effort.empty()) conv->effort = o.effort;
  x::Target t;
  t.deployment = o.deployment;
  t.backend = backend;
  t.reasoning = o.reasoning;
  t.api_version = "v1";
  t.summary = o.summary;
  FromChat out;
  out.stream = conv->stream;
  out.include_usage = conv->include_usage;
  auto p = x::prepare(std::move(*conv), t);
  out.body = std::move(p.body);
  out.dropped = std::move(p.dropped);
  return out;
}

}  // namespace agp_test
