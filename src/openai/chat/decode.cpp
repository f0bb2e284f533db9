#include "openai/chat/decode.hpp"

#include "core/ids.hpp"
#include "core/json_util.hpp"

#include <fmt/format.h>

namespace agp::openai::chat {

namespace json = boost::json;

answer::Usage parse_usage(const json::value* usage) {
  answer::Usage u;
  auto* o = usage ? usage->if_object() : nullptr;
  if (!o) return u;
  u.seen = true;
  u.input = find_int(*o, "prompt_tokens").value_or(0);
  u.output = find_int(*o, "completion_tokens").value_or(0);
  if (auto* d = find_object(*o, "prompt_tokens_details")) u.cached = find_int(*d, "cached_tokens").value_or(0);
  if (auto* d = find_object(*o, "completion_tokens_details"))
    u.reasoning = find_int(*d, "reasoning_tokens").value_or(0);
  return u;
}

Error content_filter_error(const json::value* results) {
  auto cats = filtered_categories(results);
  return Error::invalid(fmt::format(
      "Azure OpenAI's content filter stopped the answer{}. Rephrase the request or ask your Azure admin about the "
      "deployment's content filter policy.",
      cats.empty() ? "" : " (categories: " + cats + ")"));
}

namespace {

answer::Finish finish_of(std::string_view finish_reason) {
  if (finish_reason == "length") return answer::Finish::length;
  if (finish_reason == "content_filter") return answer::Finish::content_filter;
  if (finish_reason == "tool_calls" || finish_reason == "function_call") return answer::Finish::tool_calls;
  return answer::Finish::stop;
}

std::string call_id(const json::object& call) {
  auto id = find_string(call, "id").value_or("");
  return id.empty() ? random_id("call_") : std::string(id);
}

}  // namespace

void StreamDecoder::feed_data(std::string_view data) {
  if (data == "[DONE]") {
    saw_done_ = true;
    return finish();
  }
  boost::system::error_code ec;
  auto v = parse_json(data, ec);
  if (ec) return answer_.fail(Error::internal("Azure OpenAI sent a stream chunk that is not JSON"));
  feed(v);
}

void StreamDecoder::feed(const json::value& chunk) {
  answer_.start();
  auto* o = chunk.if_object();
  if (!o || answer_.ended()) return;
  if (auto* err = find(*o, "error"); err && !err->is_null())  // Azure can report a failure inside the body
    return answer_.fail(map_azure_error(500, json::serialize(chunk), "", {}));
  if (auto* u = find(*o, "usage"); u && u->is_object()) usage_ = parse_usage(u);
  auto* choices = find_array(*o, "choices");
  if (!choices) return;
  for (auto& cv : *choices) {
    auto* choice = cv.if_object();
    if (!choice || find_int(*choice, "index").value_or(0) != 0) continue;
    if (auto* d = find_object(*choice, "delta")) {
      if (auto r = find_string(*d, "reasoning_content"); r && !r->empty()) answer_.reasoning(*r);
      for (auto key : {"content", "refusal"})
        if (auto text = find_string(*d, key)) answer_.text(*text);
      if (auto* calls = find_array(*d, "tool_calls")) {
        for (auto& tv : *calls) {
          auto* tc = tv.if_object();
          if (!tc) continue;
          int ti = static_cast<int>(find_int(*tc, "index").value_or(0));
          auto* fn = find_object(*tc, "function");
          auto key = std::to_string(ti);
          if (tools_.insert(ti).second)
            answer_.tool_begin(key, call_id(*tc), fn ? find_string(*fn, "name").value_or("") : "");
          if (fn)
            if (auto a = find_string(*fn, "arguments")) answer_.tool_args(key, *a);
        }
      }
    }
    if (auto fr = find_string(*choice, "finish_reason"); fr && !fr->empty()) {
      finish_reason_ = std::string(*fr);
      if (auto* f = find(*choice, "content_filter_results")) filter_results_ = *f;
    }
  }
}

void StreamDecoder::finish() {
  if (answer_.ended()) return;
  if (finish_reason_.empty())
    return answer_.fail(
        Error{529, ErrorKind::overloaded, "Azure OpenAI ended the stream before the answer was complete", {}});
  auto filter = content_filter_error(filter_results_.is_null() ? nullptr : &filter_results_);
  answer_.complete(finish_of(finish_reason_), usage_, &filter);
}

void decode_completion(const json::value& completion, answer::Answer& answer) {
  answer.start();
  auto* o = completion.if_object();
  auto* choices = o ? find_array(*o, "choices") : nullptr;
  if (!choices || choices->empty() || !(*choices)[0].is_object())
    return answer.fail(Error::internal("Azure OpenAI answered without choices"));
  auto& choice = (*choices)[0].get_object();
  auto finish = finish_of(find_string(choice, "finish_reason").value_or("stop"));
  auto usage = parse_usage(find(*o, "usage"));
  answer.set_usage(usage);
  if (finish == answer::Finish::content_filter) {
    auto e = content_filter_error(find(choice, "content_filter_results"));
    return answer.complete(finish, usage, &e);
  }
  auto* msg = find_object(choice, "message");
  if (!msg) return answer.fail(Error::internal("Azure OpenAI answered without a message"));
  if (auto r = find_string(*msg, "reasoning_content"); r && !r->empty()) answer.reasoning(*r);
  for (auto key : {"content", "refusal"})
    if (auto text = find_string(*msg, key)) answer.text(*text);
  answer.text_end();
  if (auto* calls = find_array(*msg, "tool_calls")) {
    for (std::size_t i = 0; i < calls->size(); ++i) {
      auto* c = (*calls)[i].if_object();
      auto* fn = c ? find_object(*c, "function") : nullptr;
      if (!fn) continue;
      auto key = std::to_string(i);
      answer.tool_begin(key, call_id(*c), find_string(*fn, "name").value_or(""));
      answer.tool_args(key, find_string(*fn, "arguments").value_or(""));
      answer.tool_end(key);
    }
  }
  answer.complete(finish, usage);
}

}  // namespace agp::openai::chat
