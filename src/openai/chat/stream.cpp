#include "openai/chat/stream.hpp"

#include "anthropic/errors.hpp"
#include "core/ids.hpp"
#include "core/json_util.hpp"
#include "openai/azure_errors.hpp"

#include <fmt/format.h>

namespace agp::openai::chat {

using anthropic::Event;
using anthropic::Events;

StreamTranslator::StreamTranslator(AnswerContext ctx) : ctx_(std::move(ctx)) {}

Events StreamTranslator::start() {
  Events out;
  if (started_) return out;
  started_ = true;
  json::object message{{"id", ctx_.message_id},
                       {"type", "message"},
                       {"role", "assistant"},
                       {"model", ctx_.client_model},
                       {"content", json::array{}},
                       {"stop_reason", nullptr},
                       {"stop_sequence", nullptr},
                       {"usage",
                        {{"input_tokens", ctx_.input_tokens_estimate},
                         {"cache_creation_input_tokens", 0},
                         {"cache_read_input_tokens", 0},
                         {"output_tokens", 1}}}};
  out.push_back({"message_start", {{"type", "message_start"}, {"message", std::move(message)}}});
  return out;
}

void StreamTranslator::close_block(Events& out) {
  if (open_ == Open::none) return;
  out.push_back({"content_block_stop", {{"type", "content_block_stop"}, {"index", index_}}});
  open_ = Open::none;
  open_tool_ = -1;
}

void StreamTranslator::open_block(Events& out, Open kind, json::object block) {
  close_block(out);
  ++index_;
  open_ = kind;
  out.push_back({"content_block_start", {{"type", "content_block_start"}, {"index", index_}, {"content_block", std::move(block)}}});
}

void StreamTranslator::delta(Events& out, json::object d) {
  out.push_back({"content_block_delta", {{"type", "content_block_delta"}, {"index", index_}, {"delta", std::move(d)}}});
}

Events StreamTranslator::feed_data(std::string_view data) {
  if (data == "[DONE]") {
    saw_done_ = true;
    return finish();
  }
  boost::system::error_code ec;
  auto v = json::parse(data, ec);
  if (ec) return fail(Error::internal("Azure OpenAI sent a stream chunk that is not JSON"));
  return feed(v);
}

Events StreamTranslator::feed(const json::value& chunk) {
  Events out = start();
  if (ended_) return out;
  auto* o = chunk.if_object();
  if (!o) return out;
  if (auto* err = find(*o, "error"); err && !err->is_null()) {
    // Azure can report a failure inside the stream body.
    auto mapped = map_azure_error(500, json::serialize(chunk), "", {});
    auto more = fail(mapped);
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }
  if (auto* u = find(*o, "usage"); u && u->is_object()) usage_ = parse_usage(u);
  auto* choices = find_array(*o, "choices");
  if (!choices) return out;
  for (auto& cv : *choices) {
    auto* choice = cv.if_object();
    if (!choice || find_int(*choice, "index").value_or(0) != 0) continue;
    if (auto* d = find_object(*choice, "delta")) {
      if (auto r = find_string(*d, "reasoning_content"); r && !r->empty()) {
        if (open_ != Open::thinking) open_block(out, Open::thinking, {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}});
        delta(out, {{"type", "thinking_delta"}, {"thinking", *r}});
      }
      for (auto key : {"content", "refusal"}) {
        auto text = find_string(*d, key);
        if (!text || text->empty()) continue;
        if (open_ != Open::text) open_block(out, Open::text, {{"type", "text"}, {"text", ""}});
        delta(out, {{"type", "text_delta"}, {"text", *text}});
        output_chars_ += text->size();
      }
      if (auto* calls = find_array(*d, "tool_calls")) {
        for (auto& tv : *calls) {
          auto* tc = tv.if_object();
          if (!tc) continue;
          int ti = static_cast<int>(find_int(*tc, "index").value_or(0));
          auto* fn = find_object(*tc, "function");
          std::string_view args;
          if (fn)
            if (auto a = find_string(*fn, "arguments")) args = *a;
          if (!tools_.contains(ti)) {
            tools_[ti] = true;
            had_tools_ = true;
            std::string name(fn ? find_string(*fn, "name").value_or("") : "");
            std::string id(find_string(*tc, "id").value_or(""));
            open_block(out, Open::tool,
                       {{"type", "tool_use"},
                        {"id", id.empty() ? random_id("toolu_") : client_tool_use_id(id)},
                        {"name", ctx_.names ? ctx_.names->to_client(name) : name},
                        {"input", json::object{}}});
            open_tool_ = ti;
          } else if (open_ != Open::tool || open_tool_ != ti) {
            // Arguments for a call whose block is already closed: cannot be expressed faithfully.
            if (!args.empty()) {
              auto more = fail(Error::internal("Azure OpenAI interleaved the arguments of parallel tool calls"));
              out.insert(out.end(), more.begin(), more.end());
              return out;
            }
            continue;
          }
          if (!args.empty()) {
            delta(out, {{"type", "input_json_delta"}, {"partial_json", args}});
            output_chars_ += args.size();
          }
        }
      }
    }
    if (auto fr = find_string(*choice, "finish_reason"); fr && !fr->empty()) {
      finish_reason_ = std::string(*fr);
      if (auto* f = find(*choice, "content_filter_results")) filter_results_ = *f;
    }
  }
  return out;
}

Events StreamTranslator::finish() {
  Events out = start();
  if (ended_) return out;
  if (finish_reason_ == "content_filter") {
    auto more = fail(content_filter_error(filter_results_.is_null() ? nullptr : &filter_results_));
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }
  if (finish_reason_.empty()) {
    auto more = fail(Error{529, ErrorKind::overloaded, "Azure OpenAI ended the stream before the answer was complete", {}});
    out.insert(out.end(), more.begin(), more.end());
    return out;
  }
  close_block(out);
  ended_ = true;
  stop_reason_ = stop_reason_of(finish_reason_, had_tools_);
  json::object usage = anthropic_usage(usage_);
  if (!usage_.seen) usage["output_tokens"] = static_cast<std::int64_t>((output_chars_ + 3) / 4);  // estimate
  out.push_back({"message_delta",
                 {{"type", "message_delta"},
                  {"delta", {{"stop_reason", stop_reason_}, {"stop_sequence", nullptr}}},
                  {"usage", std::move(usage)}}});
  out.push_back({"message_stop", {{"type", "message_stop"}}});
  return out;
}

Events StreamTranslator::fail(const Error& error) {
  Events out;
  if (ended_) return out;
  // The open block is left unterminated on purpose: after `event: error` nothing may follow,
  // and the SDKs discard the partial message.
  ended_ = true;
  error_ = error;
  out.push_back(anthropic::error_event(error));
  return out;
}

}  // namespace agp::openai::chat
