#include "openai/responses/decode.hpp"

#include "core/json_util.hpp"
#include "openai/chat/decode.hpp"

namespace agp::openai::responses {

namespace json = boost::json;

namespace {

const json::object kEmpty;

// completed → stop; incomplete → length, or the content filter.
void complete(answer::Answer& answer, const json::object& response) {
  auto usage = parse_usage(find(response, "usage"));
  auto status = find_string(response, "status").value_or("completed");
  if (status == "incomplete") {
    auto* d = find_object(response, "incomplete_details");
    if (d && find_string(*d, "reason").value_or("") == "content_filter") {
      auto e = chat::content_filter_error(nullptr);
      return answer.complete(answer::Finish::content_filter, usage, &e);
    }
    return answer.complete(answer::Finish::length, usage);
  }
  answer.complete(answer::Finish::stop, usage);
}

void failed(answer::Answer& answer, const json::object& response, const UpstreamContext& upstream) {
  auto* err = find_object(response, "error");
  answer.fail(failure_error(err ? *err : kEmpty, upstream));
}

}  // namespace

void StreamDecoder::feed(std::string_view event, std::string_view data) {
  answer_.start();
  if (answer_.ended()) return;
  boost::system::error_code ec;
  auto v = parse_json(data, ec);
  if (ec || !v.is_object()) return answer_.fail(Error::internal("Azure OpenAI sent a stream event that is not JSON"));
  auto& o = v.get_object();
  std::string type(find_string(o, "type").value_or(event));
  auto* item = find_object(o, "item");
  auto itype = item ? find_string(*item, "type").value_or("") : std::string_view{};
  auto item_id = [&] { return std::string(find_string(*item, "id").value_or("")); };

  if (type == "response.output_item.added") {
    if (itype == "reasoning")
      answer_.reasoning_begin();
    else if (itype == "function_call")
      answer_.tool_begin(item_id(), find_string(*item, "call_id").value_or(""),
                         find_string(*item, "name").value_or(""));
  } else if (type == "response.reasoning_summary_text.delta") {
    answer_.reasoning(find_string(o, "delta").value_or(""), static_cast<int>(find_int(o, "summary_index").value_or(0)));
  } else if (type == "response.output_text.delta" || type == "response.refusal.delta") {
    answer_.text(find_string(o, "delta").value_or(""));
  } else if (type == "response.function_call_arguments.delta") {
    answer_.tool_args(std::string(find_string(o, "item_id").value_or("")), find_string(o, "delta").value_or(""));
  } else if (type == "response.output_item.done") {
    if (itype == "reasoning")
      answer_.reasoning_end(item_id(), find_string(*item, "encrypted_content").value_or(""));
    else if (itype == "message")
      answer_.text_end();
    else if (itype == "function_call")
      answer_.tool_end(item_id(), find_string(*item, "arguments").value_or(""));
  } else if (type == "response.completed" || type == "response.incomplete") {
    auto* r = find_object(o, "response");
    complete(answer_, r ? *r : kEmpty);
  } else if (type == "response.failed") {
    auto* r = find_object(o, "response");
    failed(answer_, r ? *r : kEmpty, upstream_);
  } else if (type == "error") {
    answer_.fail(failure_error(o, upstream_));
  }
}

void StreamDecoder::finish() {
  if (!answer_.ended())
    answer_.fail(Error{529, ErrorKind::overloaded, "Azure OpenAI ended the stream before the answer was complete", {}});
}

void decode_response(const json::value& response, answer::Answer& answer, const UpstreamContext& upstream) {
  answer.start();
  auto* r = response.if_object();
  if (!r) return answer.fail(Error::internal("Azure OpenAI answered with something that is not a response object"));
  if (find_string(*r, "status").value_or("completed") == "failed") return failed(answer, *r, upstream);
  answer.set_usage(parse_usage(find(*r, "usage")));
  if (auto* output = find_array(*r, "output")) {
    for (auto& iv : *output) {
      auto* item = iv.if_object();
      if (!item) continue;
      auto type = find_string(*item, "type").value_or("");
      std::string id(find_string(*item, "id").value_or(""));
      if (type == "reasoning") {
        answer.reasoning_begin();
        if (auto* summary = find_array(*item, "summary"))
          for (std::size_t i = 0; i < summary->size(); ++i)
            if (auto* so = (*summary)[i].if_object())
              answer.reasoning(find_string(*so, "text").value_or(""), static_cast<int>(i));
        answer.reasoning_end(id, find_string(*item, "encrypted_content").value_or(""));
      } else if (type == "message") {
        if (auto* parts = find_array(*item, "content"))
          for (auto& p : *parts)
            if (auto* po = p.if_object()) {
              auto pt = find_string(*po, "type").value_or("");
              if (pt == "output_text") answer.text(find_string(*po, "text").value_or(""));
              if (pt == "refusal") answer.text(find_string(*po, "refusal").value_or(""));
            }
        answer.text_end();
      } else if (type == "function_call") {
        answer.tool_begin(id, find_string(*item, "call_id").value_or(""), find_string(*item, "name").value_or(""));
        answer.tool_end(id, find_string(*item, "arguments").value_or(""));
      }
    }
  }
  complete(answer, *r);
}

}  // namespace agp::openai::responses
