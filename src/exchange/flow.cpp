#include "exchange/flow.hpp"

#include "anthropic/request.hpp"
#include "core/json_util.hpp"
#include "openai/chat/from_client.hpp"

namespace agp::exchange {

namespace json = boost::json;

Result<conv::Conversation> parse_client_request(const ClientRequest& req) {
  if (req.front == Front::openai_chat) return openai::chat::from_client_body(req.body);
  auto c = anthropic::parse_request(req.body, anthropic::Endpoint::messages);
  // Claude Code names its session in a header too: the cache key when the metadata has none.
  if (c && c->prompt_cache_key.empty()) c->prompt_cache_key = req.session_id;
  if (c) {
    std::string_view rest = req.betas;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      auto beta = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      while (!beta.empty() && beta.front() == ' ') beta.remove_prefix(1);
      while (!beta.empty() && beta.back() == ' ') beta.remove_suffix(1);
      if (!beta.empty()) c->betas.emplace_back(beta);
    }
    if (auto e = anthropic::thinking_budget_error(*c)) return *e;
  }
  return c;
}

std::unique_ptr<Exchange> make_exchange(conv::Conversation conv, const Spec& spec) {
  return make_exchange(std::make_shared<const conv::Conversation>(std::move(conv)), spec);
}

std::unique_ptr<Exchange> make_exchange(std::shared_ptr<const conv::Conversation> conv, const Spec& spec) {
  auto x = std::make_unique<Exchange>();
  x->conv = std::move(conv);
  x->prepared = prepare(*x->conv, spec.target);
  x->answer = answer_options(spec.front, *x->conv, x->prepared, spec.input_tokens_estimate);
  x->answer.anthropic.message_id = spec.answer_id;
  x->answer.chat.id = spec.answer_id;
  x->answer.chat.created = spec.created;
  x->answer.chat.display = spec.display;
  x->answer.upstream = spec.upstream;
  return x;
}

std::string_view backend_name(Backend b) { return b == Backend::chat ? "chat" : "responses"; }
std::string_view front_name(Front f) { return f == Front::anthropic ? "anthropic" : "openai_chat"; }

json::object spec_json(const Spec& s) {
  const char* display[] = {"think", "field", "off"};
  return {{"front", front_name(s.front)},
          {"backend", backend_name(s.target.backend)},
          {"deployment", s.target.deployment},
          {"reasoning", s.target.reasoning},
          {"api_version", s.target.api_version},
          {"effort_override", s.target.effort_override},
          {"summary", s.target.summary},
          {"max_output_tokens", s.target.max_output_tokens},
          {"message_id", s.answer_id},
          {"created", s.created},
          {"input_tokens_estimate", s.input_tokens_estimate},
          {"reasoning_display", display[static_cast<int>(s.display)]},
          {"endpoint", s.upstream.endpoint},
          {"capabilities", s.target.caps.describe()}};
}

Spec spec_from_json(const json::object& m) {
  Spec s;
  s.front = find_string(m, "front").value_or("anthropic") == "openai_chat" ? Front::openai_chat : Front::anthropic;
  s.target.backend = find_string(m, "backend").value_or("chat") == "responses" ? Backend::responses : Backend::chat;
  s.target.deployment = std::string(find_string(m, "deployment").value_or(""));
  s.target.reasoning = find_bool(m, "reasoning").value_or(false);
  s.target.api_version = std::string(find_string(m, "api_version").value_or(""));
  s.target.effort_override = std::string(find_string(m, "effort_override").value_or(""));
  s.target.summary = std::string(find_string(m, "summary").value_or("detailed"));
  s.target.max_output_tokens = find_int(m, "max_output_tokens").value_or(0);
  s.answer_id = std::string(find_string(m, "message_id").value_or(""));
  s.created = find_int(m, "created").value_or(0);
  s.input_tokens_estimate = find_int(m, "input_tokens_estimate").value_or(0);
  bool ok = true;
  s.display = openai::chat::parse_reasoning_display(find_string(m, "reasoning_display").value_or("think"), ok);
  s.upstream = {s.target.deployment, std::string(find_string(m, "endpoint").value_or(""))};
  if (auto caps = find_string(m, "capabilities"); caps && !caps->empty()) {
    std::map<std::string, Capability> parsed;
    if (parse_capabilities(s.target.deployment + ":" + std::string(*caps), parsed).empty())
      s.target.caps = parsed[s.target.deployment];
  }
  return s;
}

}  // namespace agp::exchange
