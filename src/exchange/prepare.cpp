#include "exchange/prepare.hpp"

#include "core/context_edits.hpp"
#include "core/history.hpp"
#include "openai/chat/request.hpp"
#include "openai/responses/from_anthropic.hpp"

namespace agp::exchange {

namespace json = boost::json;

namespace {
void append(std::vector<std::string>& to, std::vector<std::string> from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// The target as the deployment's capabilities allow: no reasoning on a chat model, tools with
// reasoning on the Responses API where Chat Completions refuses them, the smaller output cap.
Target within_capabilities(Target t, conv::Conversation& conv) {
  const auto& c = t.caps;
  if (c.reasoning == false) t.reasoning = false;
  if (t.backend == Backend::chat && c.chat_tools_with_reasoning == false && t.reasoning && !conv.tools.empty())
    t.backend = Backend::responses;
  if (c.encrypted_reasoning == false) conv.carry_reasoning = false;
  if (c.max_output_tokens > 0)
    t.max_output_tokens = t.max_output_tokens > 0 ? std::min(t.max_output_tokens, c.max_output_tokens) : c.max_output_tokens;
  return t;
}

// What the renderers sent that the deployment does not take, taken out or stepped down.
void fit_body(json::object& body, Backend backend, const Capability& c, std::vector<std::string>& dropped) {
  if (c.prompt_cache_key == false && body.erase("prompt_cache_key")) dropped.emplace_back("prompt_cache_key (deployment)");
  if (c.sampling == false)
    for (auto key : {"temperature", "top_p"})
      if (body.erase(key)) dropped.emplace_back(std::string(key) + " (deployment)");
  if (c.efforts.empty()) return;
  json::value* effort = nullptr;
  if (backend == Backend::chat)
    effort = body.if_contains("reasoning_effort");
  else if (auto* r = body.if_contains("reasoning"); r && r->is_object())
    effort = r->as_object().if_contains("effort");
  if (effort && effort->is_string()) *effort = nearest_effort(std::string(effort->get_string()), c.efforts);
}

}  // namespace

Prepared prepare(conv::Conversation conv, const Target& wanted) {
  Prepared p;
  const Target t = within_capabilities(wanted, conv);
  p.backend = t.backend;
  if (!conv.context_management.is_null())
    p.context_management = json::object{{"applied_edits", conv::apply_context_edits(conv)}};
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
  fit_body(p.body, p.backend, t.caps, p.dropped);
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
  o.anthropic.context_management = prepared.context_management;
  for (auto& b : conv.betas)
    if (b.starts_with("thinking-token-count-")) o.anthropic.thinking_tokens = true;
  o.chat.client_model = conv.model;
  o.chat.include_usage = conv.include_usage;
  return o;
}

}  // namespace agp::exchange
