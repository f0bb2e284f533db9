#include "openai/responses/to_anthropic.hpp"

#include "core/json_util.hpp"
#include "openai/chat/response.hpp"
#include "openai/responses/from_anthropic.hpp"

namespace agp::openai::responses {

using anthropic::Events;

namespace {

anthropic::FinalUsage final_usage(const Usage& u) {
  return {std::max<std::int64_t>(u.input_tokens - u.cached_tokens, 0), u.cached_tokens, u.output_tokens};
}

std::string incomplete_reason(const json::object& response) {
  auto* d = find_object(response, "incomplete_details");
  return d ? std::string(find_string(*d, "reason").value_or("")) : std::string{};
}

std::string summary_text(const json::object& item) {
  std::string out;
  if (auto* summary = find_array(item, "summary"))
    for (auto& s : *summary)
      if (auto* so = s.if_object()) {
        if (!out.empty()) out += "\n\n";
        out += std::string(find_string(*so, "text").value_or(""));
      }
  return out;
}

std::string tool_name(const ToAnthropicContext& ctx, std::string_view upstream) {
  return ctx.names ? ctx.names->to_client(upstream) : std::string(upstream);
}

}  // namespace

AnthropicStream::AnthropicStream(ToAnthropicContext ctx)
    : ctx_(std::move(ctx)),
      out_(ctx_.message_id, ctx_.client_model, ctx_.input_tokens_estimate),
      stop_(ctx_.stop_sequences) {}

Events AnthropicStream::start() { return out_.start(); }

std::int64_t AnthropicStream::estimated_output() const {
  return static_cast<std::int64_t>((out_.output_chars() + 3) / 4);
}

void AnthropicStream::flush_text(Events& out) {
  auto tail = stop_.flush();
  out_.text(out, tail);
}

Events AnthropicStream::feed(std::string_view event, std::string_view data) {
  Events out = start();
  if (ended()) return out;
  boost::system::error_code ec;
  auto v = json::parse(data, ec);
  if (ec || !v.is_object()) {
    auto more = fail(Error::internal("Azure OpenAI sent a stream event that is not JSON"));
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }
  auto& o = v.get_object();
  std::string type(find_string(o, "type").value_or(event));
  static const json::object kEmpty;

  if (type == "response.output_item.added") {
    auto* item = find_object(o, "item");
    auto itype = item ? find_string(*item, "type").value_or("") : std::string_view{};
    if (itype == "reasoning" && ctx_.thinking) {
      flush_text(out);
      out_.open_thinking(out);
      in_reasoning_ = true;
      last_summary_index_ = -1;
    } else if (itype == "function_call") {
      flush_text(out);
      args_streamed_[std::string(find_string(*item, "id").value_or(""))] = false;
      out_.open_tool(out, client_tool_use_id(find_string(*item, "call_id").value_or("")),
                     tool_name(ctx_, find_string(*item, "name").value_or("")));
    }
  } else if (type == "response.reasoning_summary_text.delta") {
    if (in_reasoning_ && !ctx_.omit_thinking_text) {
      int index = static_cast<int>(find_int(o, "summary_index").value_or(0));
      if (last_summary_index_ >= 0 && index != last_summary_index_) out_.thinking(out, "\n\n");
      last_summary_index_ = index;
      out_.thinking(out, find_string(o, "delta").value_or(""));
    }
  } else if (type == "response.output_text.delta" || type == "response.refusal.delta") {
    auto cut = stop_.feed(find_string(o, "delta").value_or(""));
    out_.text(out, cut.text);
    if (cut.matched) {
      stopped_early_ = true;
      Usage u = usage_;
      u.output_tokens = estimated_output();
      u.input_tokens = ctx_.input_tokens_estimate;
      out_.finish(out, "stop_sequence", *cut.matched, final_usage(u));
    }
  } else if (type == "response.function_call_arguments.delta") {
    auto delta = find_string(o, "delta").value_or("");
    if (!delta.empty()) args_streamed_[std::string(find_string(o, "item_id").value_or(""))] = true;
    out_.tool_input(out, delta);
  } else if (type == "response.output_item.done") {
    auto* item = find_object(o, "item");
    auto itype = item ? find_string(*item, "type").value_or("") : std::string_view{};
    if (itype == "reasoning" && in_reasoning_) {
      auto enc = find_string(*item, "encrypted_content").value_or("");
      if (!enc.empty()) out_.signature(out, make_signature(find_string(*item, "id").value_or(""), enc));
      out_.close(out);
      in_reasoning_ = false;
    } else if (itype == "message") {
      flush_text(out);
      out_.close(out);
    } else if (itype == "function_call") {
      auto id = std::string(find_string(*item, "id").value_or(""));
      if (!args_streamed_[id]) out_.tool_input(out, find_string(*item, "arguments").value_or(""));
      out_.close(out);
    }
  } else if (type == "response.completed" || type == "response.incomplete") {
    auto* r = find_object(o, "response");
    complete(out, r ? *r : kEmpty, type == "response.incomplete");
  } else if (type == "response.failed") {
    auto* r = find_object(o, "response");
    auto* err = r ? find_object(*r, "error") : nullptr;
    auto more = fail(failure_error(err ? *err : kEmpty, ctx_.upstream));
    out.insert(out.end(), more.begin(), more.end());
  } else if (type == "error") {
    auto more = fail(failure_error(o, ctx_.upstream));
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

void AnthropicStream::complete(Events& out, const json::object& response, bool incomplete) {
  usage_ = parse_usage(find(response, "usage"));
  std::string stop_reason = out_.any_tool() ? "tool_use" : "end_turn";
  if (incomplete) {
    auto reason = incomplete_reason(response);
    if (reason == "content_filter") {
      auto more = fail(chat::content_filter_error(nullptr));
      out.insert(out.end(), more.begin(), more.end());
      return;
    }
    stop_reason = "max_tokens";
  }
  flush_text(out);
  Usage u = usage_;
  if (!u.seen) {
    u.input_tokens = ctx_.input_tokens_estimate;
    u.output_tokens = estimated_output();
  }
  out_.finish(out, stop_reason, std::nullopt, final_usage(u));
}

Events AnthropicStream::finish() {
  if (ended()) return {};
  return fail(Error{529, ErrorKind::overloaded, "Azure OpenAI ended the stream before the answer was complete", {}});
}

Events AnthropicStream::fail(const Error& e) {
  Events out = start();
  if (ended()) return out;
  error_ = e;
  out_.fail(out, e);
  return out;
}

Result<json::object> to_anthropic_message(const json::value& response, const ToAnthropicContext& ctx) {
  auto* r = response.if_object();
  if (!r) return Error::internal("Azure OpenAI answered with something that is not a response object");
  static const json::object kEmpty;
  auto status = find_string(*r, "status").value_or("completed");
  if (status == "failed") {
    auto* err = find_object(*r, "error");
    return failure_error(err ? *err : kEmpty, ctx.upstream);
  }
  if (status == "incomplete" && incomplete_reason(*r) == "content_filter") return chat::content_filter_error(nullptr);

  json::array content;
  std::optional<std::string> matched;
  bool any_tool = false;
  if (auto* output = find_array(*r, "output")) {
    for (auto& iv : *output) {
      if (matched) break;  // everything after a stop sequence is cut
      auto* item = iv.if_object();
      if (!item) continue;
      auto type = find_string(*item, "type").value_or("");
      if (type == "reasoning" && ctx.thinking) {
        auto enc = find_string(*item, "encrypted_content").value_or("");
        std::string sig = enc.empty() ? "" : make_signature(find_string(*item, "id").value_or(""), enc);
        std::string text = ctx.omit_thinking_text ? "" : summary_text(*item);
        if (!sig.empty() || !text.empty())
          content.push_back({{"type", "thinking"}, {"thinking", text}, {"signature", sig}});
      } else if (type == "message") {
        std::string text;
        if (auto* parts = find_array(*item, "content"))
          for (auto& p : *parts)
            if (auto* po = p.if_object()) {
              auto pt = find_string(*po, "type").value_or("");
              if (pt == "output_text")
                text += std::string(find_string(*po, "text").value_or(""));
              else if (pt == "refusal")
                text += std::string(find_string(*po, "refusal").value_or(""));
            }
        auto cut = cut_at_stop(text, ctx.stop_sequences);
        matched = cut.matched;
        if (!cut.text.empty()) content.push_back({{"type", "text"}, {"text", cut.text}});
      } else if (type == "function_call") {
        any_tool = true;
        std::string args(find_string(*item, "arguments").value_or("{}"));
        boost::system::error_code ec;
        auto input = json::parse(args.empty() ? "{}" : args, ec);
        if (ec || !input.is_object()) input = json::object{};
        content.push_back({{"type", "tool_use"},
                           {"id", client_tool_use_id(find_string(*item, "call_id").value_or(""))},
                           {"name", tool_name(ctx, find_string(*item, "name").value_or(""))},
                           {"input", std::move(input)}});
      }
    }
  }
  std::string stop_reason = matched                  ? "stop_sequence"
                            : status == "incomplete" ? "max_tokens"
                            : any_tool               ? "tool_use"
                                                     : "end_turn";
  auto u = final_usage(parse_usage(find(*r, "usage")));
  return json::object{{"id", ctx.message_id},
                      {"type", "message"},
                      {"role", "assistant"},
                      {"model", ctx.client_model},
                      {"content", std::move(content)},
                      {"stop_reason", stop_reason},
                      {"stop_sequence", matched ? json::value(*matched) : json::value(nullptr)},
                      {"usage",
                       {{"input_tokens", u.input_tokens},
                        {"cache_creation_input_tokens", 0},
                        {"cache_read_input_tokens", u.cache_read_input_tokens},
                        {"output_tokens", u.output_tokens}}}};
}

}  // namespace agp::openai::responses
