#include "openai/chat/stream.hpp"

#include "core/ids.hpp"
#include "core/json_util.hpp"
#include "openai/azure_errors.hpp"

namespace agp::openai::chat {

using anthropic::Events;
using Block = anthropic::StreamBuilder::Block;

StreamTranslator::StreamTranslator(AnswerContext ctx)
    : ctx_(std::move(ctx)),
      out_(ctx_.message_id, ctx_.client_model, ctx_.input_tokens_estimate),
      stop_(ctx_.stop_sequences) {}

Events StreamTranslator::start() { return out_.start(); }

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
  if (ended()) return out;
  auto* o = chunk.if_object();
  if (!o) return out;
  if (auto* err = find(*o, "error"); err && !err->is_null()) {
    // Azure can report a failure inside the stream body.
    auto more = fail(map_azure_error(500, json::serialize(chunk), "", {}));
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
        out_.text(out, stop_.flush());
        out_.thinking(out, *r);
      }
      for (auto key : {"content", "refusal"}) {
        auto text = find_string(*d, key);
        if (!text || text->empty()) continue;
        auto cut = stop_.feed(*text);
        out_.text(out, cut.text);
        if (cut.matched) {
          // The answer ends here, as it would have on Anthropic; the upstream is cancelled.
          stopped_early_ = true;
          anthropic::FinalUsage usage{ctx_.input_tokens_estimate, 0,
                                      static_cast<std::int64_t>((output_chars() + 3) / 4)};
          out_.finish(out, "stop_sequence", *cut.matched, usage);
          return out;
        }
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
            out_.text(out, stop_.flush());
            tools_.insert(ti);
            std::string name(fn ? find_string(*fn, "name").value_or("") : "");
            std::string id(find_string(*tc, "id").value_or(""));
            out_.open_tool(out, id.empty() ? random_id("toolu_") : client_tool_use_id(id),
                           ctx_.names ? ctx_.names->to_client(name) : name);
            open_tool_ = ti;
          } else if (out_.open() != Block::tool_use || open_tool_ != ti) {
            // Arguments for a call whose block is already closed: cannot be expressed faithfully.
            if (!args.empty()) {
              auto more = fail(Error::internal("Azure OpenAI interleaved the arguments of parallel tool calls"));
              out.insert(out.end(), more.begin(), more.end());
              return out;
            }
            continue;
          }
          out_.tool_input(out, args);
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
  Events out;
  if (ended()) return out;
  if (finish_reason_ == "content_filter")
    return fail(content_filter_error(filter_results_.is_null() ? nullptr : &filter_results_));
  if (finish_reason_.empty())
    return fail(Error{529, ErrorKind::overloaded, "Azure OpenAI ended the stream before the answer was complete", {}});
  out_.text(out, stop_.flush());
  stop_reason_ = stop_reason_of(finish_reason_, out_.any_tool());
  auto u = anthropic_usage(usage_);
  // Without Azure's usage chunk, keep the estimates rather than overwrite them with zeros.
  anthropic::FinalUsage usage{
      usage_.seen ? u["input_tokens"].as_int64() : ctx_.input_tokens_estimate, u["cache_read_input_tokens"].as_int64(),
      usage_.seen ? usage_.completion_tokens : static_cast<std::int64_t>((output_chars() + 3) / 4)};
  out_.finish(out, stop_reason_, std::nullopt, usage);
  return out;
}

Events StreamTranslator::fail(const Error& error) {
  Events out = start();
  if (ended()) return out;
  error_ = error;
  out_.fail(out, error);
  return out;
}

}  // namespace agp::openai::chat
