#include "openai/chat/response.hpp"

#include "core/json_util.hpp"
#include "openai/azure_errors.hpp"
#include "openai/stop_matcher.hpp"

#include <fmt/format.h>

namespace agp::openai::chat {

Usage parse_usage(const json::value* usage) {
  Usage u;
  auto* o = usage ? usage->if_object() : nullptr;
  if (!o) return u;
  u.seen = true;
  u.prompt_tokens = find_int(*o, "prompt_tokens").value_or(0);
  u.completion_tokens = find_int(*o, "completion_tokens").value_or(0);
  if (auto* d = find_object(*o, "prompt_tokens_details")) u.cached_tokens = find_int(*d, "cached_tokens").value_or(0);
  if (auto* d = find_object(*o, "completion_tokens_details"))
    u.reasoning_tokens = find_int(*d, "reasoning_tokens").value_or(0);
  return u;
}

json::object anthropic_usage(const Usage& u) {
  return {{"input_tokens", std::max<std::int64_t>(u.prompt_tokens - u.cached_tokens, 0)},
          {"cache_creation_input_tokens", 0},
          {"cache_read_input_tokens", u.cached_tokens},
          {"output_tokens", u.completion_tokens}};
}

std::string stop_reason_of(std::string_view finish_reason, bool had_tool_calls) {
  if (finish_reason == "content_filter") return "";
  if (had_tool_calls || finish_reason == "tool_calls" || finish_reason == "function_call") return "tool_use";
  if (finish_reason == "length") return "max_tokens";
  return "end_turn";
}

Error content_filter_error(const json::value* results) {
  auto cats = filtered_categories(results);
  return Error::invalid(fmt::format(
      "Azure OpenAI's content filter stopped the answer{}. Rephrase the request or ask your Azure admin about the "
      "deployment's content filter policy.",
      cats.empty() ? "" : " (categories: " + cats + ")"));
}

Result<json::object> to_anthropic_message(const json::value& chat, const AnswerContext& ctx) {
  auto* o = chat.if_object();
  auto* choices = o ? find_array(*o, "choices") : nullptr;
  if (!choices || choices->empty() || !(*choices)[0].is_object())
    return Error::internal("Azure OpenAI answered without choices");
  auto& choice = (*choices)[0].get_object();
  auto finish = find_string(choice, "finish_reason").value_or("stop");
  if (finish == "content_filter") return content_filter_error(find(choice, "content_filter_results"));
  auto* msg = find_object(choice, "message");
  if (!msg) return Error::internal("Azure OpenAI answered without a message");

  json::array content;
  if (auto r = find_string(*msg, "reasoning_content"); r && !r->empty())
    content.push_back({{"type", "thinking"}, {"thinking", *r}, {"signature", ""}});
  std::optional<std::string> matched;
  if (auto text = find_string(*msg, "content"); text && !text->empty()) {
    auto cut = cut_at_stop(*text, ctx.stop_sequences);
    matched = cut.matched;
    if (!cut.text.empty()) content.push_back({{"type", "text"}, {"text", cut.text}});
  }
  if (auto refusal = find_string(*msg, "refusal"); refusal && !refusal->empty())
    content.push_back({{"type", "text"}, {"text", *refusal}});
  bool had_tools = false;
  if (auto* calls = matched ? nullptr : find_array(*msg, "tool_calls")) {  // a stop ends the answer
    for (auto& cv : *calls) {
      auto* c = cv.if_object();
      auto* fn = c ? find_object(*c, "function") : nullptr;
      if (!fn) continue;
      had_tools = true;
      std::string args(find_string(*fn, "arguments").value_or("{}"));
      boost::system::error_code ec;
      auto input = json::parse(args.empty() ? "{}" : args, ec);
      if (ec || !input.is_object()) input = json::object{};
      content.push_back({{"type", "tool_use"},
                         {"id", client_tool_use_id(find_string(*c, "id").value_or(""))},
                         {"name", ctx.names ? ctx.names->to_client(find_string(*fn, "name").value_or(""))
                                            : std::string(find_string(*fn, "name").value_or(""))},
                         {"input", std::move(input)}});
    }
  }
  auto usage = parse_usage(find(*o, "usage"));
  return json::object{{"id", ctx.message_id},
                      {"type", "message"},
                      {"role", "assistant"},
                      {"model", ctx.client_model},
                      {"content", std::move(content)},
                      {"stop_reason", matched ? std::string("stop_sequence") : stop_reason_of(finish, had_tools)},
                      {"stop_sequence", matched ? json::value(*matched) : json::value(nullptr)},
                      {"usage", anthropic_usage(usage)}};
}

}  // namespace agp::openai::chat
