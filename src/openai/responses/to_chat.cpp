#include "openai/responses/to_chat.hpp"

#include "core/json_util.hpp"
#include "wire/sse.hpp"
#include "openai/errors.hpp"

namespace agp::openai::responses {

namespace {

json::object chat_usage(const Usage& u) {
  return {{"prompt_tokens", u.input_tokens},
          {"completion_tokens", u.output_tokens},
          {"total_tokens", u.input_tokens + u.output_tokens},
          {"prompt_tokens_details", {{"cached_tokens", u.cached_tokens}}},
          {"completion_tokens_details", {{"reasoning_tokens", u.reasoning_tokens}}}};
}

std::string finish_reason_of(const json::object& response, bool had_tools) {
  auto status = find_string(response, "status").value_or("completed");
  if (status == "incomplete") {
    auto* d = find_object(response, "incomplete_details");
    auto reason = d ? find_string(*d, "reason").value_or("") : std::string_view{};
    return reason == "content_filter" ? "content_filter" : "length";
  }
  return had_tools ? "tool_calls" : "stop";
}

std::string data(const json::value& v) { return wire::format_sse("", json::serialize(v)); }

}  // namespace

ReasoningDisplay parse_reasoning_display(std::string_view s, bool& ok) {
  ok = true;
  if (s.empty() || s == "think") return ReasoningDisplay::think;
  if (s == "field") return ReasoningDisplay::field;
  if (s == "off") return ReasoningDisplay::off;
  ok = false;
  return ReasoningDisplay::think;
}

ChunkStream::ChunkStream(ToChatContext ctx) : ctx_(std::move(ctx)) {}

std::string ChunkStream::chunk(json::object delta, json::value finish_reason) {
  json::object c{{"id", ctx_.id},
                 {"object", "chat.completion.chunk"},
                 {"created", ctx_.created},
                 {"model", ctx_.client_model},
                 {"choices", json::array{json::object{{"index", 0},
                                                      {"delta", std::move(delta)},
                                                      {"logprobs", nullptr},
                                                      {"finish_reason", std::move(finish_reason)}}}}};
  if (ctx_.include_usage) c["usage"] = nullptr;
  return data(c);
}

std::string ChunkStream::start() { return chunk({{"role", "assistant"}, {"content", ""}}); }

std::string ChunkStream::content(std::string_view text) {
  if (text.empty()) return {};
  return close_think() + chunk({{"content", text}});
}

std::string ChunkStream::close_think() {
  if (!think_open_) return {};
  think_open_ = false;
  return chunk({{"content", "\n</think>\n\n"}});
}

std::string ChunkStream::feed(std::string_view event, std::string_view text) {
  if (ended_) return {};
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail(Error::internal("Azure OpenAI sent a stream event that is not JSON"));
  auto& o = v.get_object();
  std::string type(find_string(o, "type").value_or(event));

  if (type == "response.output_text.delta" || type == "response.refusal.delta")
    return content(find_string(o, "delta").value_or(""));

  if (type == "response.reasoning_summary_text.delta") {
    auto delta = find_string(o, "delta").value_or("");
    if (delta.empty() || ctx_.display == ReasoningDisplay::off) return {};
    int index = static_cast<int>(find_int(o, "summary_index").value_or(0));
    std::string sep = (last_summary_index_ >= 0 && index != last_summary_index_) ? "\n\n" : "";
    last_summary_index_ = index;
    reasoning_seen_ = true;
    if (ctx_.display == ReasoningDisplay::field) return chunk({{"reasoning_content", sep + std::string(delta)}});
    std::string out;
    if (!think_open_) {
      think_open_ = true;
      sep = "<think>\n";
    }
    return out + chunk({{"content", sep + std::string(delta)}});
  }

  if (type == "response.output_item.added") {
    auto* item = find_object(o, "item");
    if (!item || find_string(*item, "type").value_or("") != "function_call") return {};
    int index = static_cast<int>(tool_index_.size());
    tool_index_[std::string(find_string(*item, "id").value_or(""))] = index;
    json::object call{{"index", index},
                      {"id", find_string(*item, "call_id").value_or("")},
                      {"type", "function"},
                      {"function", {{"name", find_string(*item, "name").value_or("")}, {"arguments", ""}}}};
    return close_think() + chunk({{"tool_calls", json::array{std::move(call)}}});
  }

  if (type == "response.function_call_arguments.delta") {
    auto it = tool_index_.find(std::string(find_string(o, "item_id").value_or("")));
    auto delta = find_string(o, "delta").value_or("");
    if (it == tool_index_.end() || delta.empty()) return {};
    args_streamed_[it->first] = true;
    return chunk(
        {{"tool_calls", json::array{json::object{{"index", it->second}, {"function", {{"arguments", delta}}}}}}});
  }

  if (type == "response.output_item.done") {
    // Some answers carry a call's arguments only in the finished item.
    auto* item = find_object(o, "item");
    if (!item || find_string(*item, "type").value_or("") != "function_call") return {};
    std::string id(find_string(*item, "id").value_or(""));
    auto it = tool_index_.find(id);
    auto args = find_string(*item, "arguments").value_or("");
    if (it == tool_index_.end() || args_streamed_[id] || args.empty()) return {};
    return chunk(
        {{"tool_calls", json::array{json::object{{"index", it->second}, {"function", {{"arguments", args}}}}}}});
  }

  if (type == "response.completed" || type == "response.incomplete") {
    auto* r = find_object(o, "response");
    static const json::object kEmpty;
    return complete(r ? *r : kEmpty, type);
  }
  if (type == "response.failed") {
    auto* r = find_object(o, "response");
    auto* err = r ? find_object(*r, "error") : nullptr;
    static const json::object kEmpty;
    return fail(failure_error(err ? *err : kEmpty, ctx_.upstream));
  }
  if (type == "error") return fail(failure_error(o, ctx_.upstream));
  return {};
}

std::string ChunkStream::complete(const json::object& response, std::string_view) {
  usage_ = parse_usage(find(response, "usage"));
  finish_reason_ = finish_reason_of(response, !tool_index_.empty());
  std::string out = close_think();
  if (ctx_.include_usage) {
    out += chunk({}, json::value(finish_reason_));
    json::object u{{"id", ctx_.id},
                   {"object", "chat.completion.chunk"},
                   {"created", ctx_.created},
                   {"model", ctx_.client_model},
                   {"choices", json::array{}},
                   {"usage", chat_usage(usage_)}};
    out += data(u);
  } else {
    // Clients that did not ask for a usage chunk still find the totals in the last chunk they read.
    json::object c{
        {"id", ctx_.id},
        {"object", "chat.completion.chunk"},
        {"created", ctx_.created},
        {"model", ctx_.client_model},
        {"choices",
         json::array{json::object{
             {"index", 0}, {"delta", json::object{}}, {"logprobs", nullptr}, {"finish_reason", finish_reason_}}}},
        {"usage", chat_usage(usage_)}};
    out += data(c);
  }
  out += "data: [DONE]\n\n";
  ended_ = true;
  return out;
}

std::string ChunkStream::finish() {
  if (ended_) return {};
  return fail(Error{529, ErrorKind::overloaded, "Azure OpenAI ended the stream before the answer was complete", {}});
}

std::string ChunkStream::fail(const Error& e) {
  if (ended_) return {};
  ended_ = true;
  error_ = e;
  // The OpenAI SDK raises an APIError for a data object with a top-level "error" key.
  return close_think() + data(error_body(e)) + "data: [DONE]\n\n";
}

Result<json::object> to_chat_completion(const json::value& response, const ToChatContext& ctx) {
  auto* r = response.if_object();
  if (!r) return Error::internal("Azure OpenAI answered with something that is not a response object");
  if (find_string(*r, "status").value_or("") == "failed") {
    auto* err = find_object(*r, "error");
    static const json::object kEmpty;
    return failure_error(err ? *err : kEmpty, ctx.upstream);
  }
  std::string text, reasoning;
  json::array calls;
  if (auto* output = find_array(*r, "output")) {
    for (auto& iv : *output) {
      auto* item = iv.if_object();
      if (!item) continue;
      auto type = find_string(*item, "type").value_or("");
      if (type == "reasoning") {
        if (auto* summary = find_array(*item, "summary"))
          for (auto& s : *summary)
            if (auto* so = s.if_object()) {
              if (!reasoning.empty()) reasoning += "\n\n";
              reasoning += std::string(find_string(*so, "text").value_or(""));
            }
      } else if (type == "message") {
        if (auto* content = find_array(*item, "content"))
          for (auto& c : *content)
            if (auto* co = c.if_object()) {
              auto ct = find_string(*co, "type").value_or("");
              if (ct == "output_text")
                text += std::string(find_string(*co, "text").value_or(""));
              else if (ct == "refusal")
                text += std::string(find_string(*co, "refusal").value_or(""));
            }
      } else if (type == "function_call") {
        calls.push_back({{"id", find_string(*item, "call_id").value_or("")},
                         {"type", "function"},
                         {"function",
                          {{"name", find_string(*item, "name").value_or("")},
                           {"arguments", find_string(*item, "arguments").value_or("")}}}});
      }
    }
  }
  json::object message{{"role", "assistant"}, {"refusal", nullptr}};
  if (!reasoning.empty() && ctx.display == ReasoningDisplay::think)
    text = "<think>\n" + reasoning + "\n</think>\n\n" + text;
  if (!reasoning.empty() && ctx.display == ReasoningDisplay::field) message["reasoning_content"] = reasoning;
  message["content"] = text.empty() && !calls.empty() ? json::value(nullptr) : json::value(text);
  bool had_tools = !calls.empty();
  if (had_tools) message["tool_calls"] = std::move(calls);
  auto usage = parse_usage(find(*r, "usage"));
  return json::object{{"id", ctx.id},
                      {"object", "chat.completion"},
                      {"created", ctx.created},
                      {"model", ctx.client_model},
                      {"choices", json::array{json::object{{"index", 0},
                                                           {"message", std::move(message)},
                                                           {"logprobs", nullptr},
                                                           {"finish_reason", finish_reason_of(*r, had_tools)}}}},
                      {"usage", chat_usage(usage)}};
}

}  // namespace agp::openai::responses
