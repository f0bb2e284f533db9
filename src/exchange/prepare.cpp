#include "exchange/prepare.hpp"

#include "core/history.hpp"
#include "openai/chat/request.hpp"
#include "openai/responses/from_anthropic.hpp"

namespace agp::exchange {

namespace {
void append(std::vector<std::string>& to, std::vector<std::string> from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}
}  // namespace

Prepared prepare(conv::Conversation conv, const Target& t) {
  Prepared p;
  p.backend = t.backend;
  p.dropped = conv::repair_tool_history(conv);
  append(p.dropped, conv.dropped);
  if (t.backend == Backend::chat) {
    bool emulate = openai::chat::emulates_stop(conv, t.reasoning);
    openai::chat::Options o{t.deployment, t.api_version, t.reasoning, t.max_output_tokens, emulate};
    auto r = openai::chat::to_chat_request(conv, o);
    p.body = std::move(r.body);
    p.names = std::move(r.names);
    append(p.dropped, std::move(r.dropped));
    if (emulate) p.answer_stops = conv.stop_sequences;
    p.max_field = "max_completion_tokens";
  } else {
    openai::responses::FromAnthropicOptions o{t.deployment, t.reasoning, t.effort_override, t.summary,
                                              t.max_output_tokens};
    auto r = openai::responses::from_anthropic_request(conv, o);
    p.body = std::move(r.body);
    p.names = std::move(r.names);
    append(p.dropped, std::move(r.dropped));
    p.answer_stops = conv.stop_sequences;  // the Responses API has no stop sequences
    p.max_field = "max_output_tokens";
  }
  return p;
}

AnswerOptions answer_options(Front front, const conv::Conversation& conv, const Prepared& prepared,
                             std::int64_t input_tokens_estimate) {
  AnswerOptions o;
  o.front = front;
  o.backend = prepared.backend;
  o.rules = {&prepared.names, prepared.answer_stops, input_tokens_estimate};
  using conv::ThinkingType;
  o.anthropic.model = conv.model;
  o.anthropic.input_tokens_estimate = input_tokens_estimate;
  o.anthropic.thinking = conv.thinking.type == ThinkingType::enabled || conv.thinking.type == ThinkingType::adaptive;
  o.anthropic.omit_thinking_text = conv.thinking.display == "omitted";
  o.chat.client_model = conv.model;
  o.chat.include_usage = conv.include_usage;
  return o;
}

}  // namespace agp::exchange
