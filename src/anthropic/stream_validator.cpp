#include "anthropic/stream_validator.hpp"

#include "core/json_util.hpp"

#include <fmt/format.h>

namespace agp::anthropic {

void StreamValidator::fail(std::string what) { violations_.push_back(std::move(what)); }

void StreamValidator::feed(const Event& e) {
  auto type = find_string(e.data, "type");
  if (!type || *type != e.type) fail(fmt::format("event '{}' has data.type '{}'", e.type, type.value_or("")));
  if (e.type == "ping") return;
  if (phase_ == Phase::stopped || phase_ == Phase::errored) {
    fail(fmt::format("event '{}' after the end of the stream", e.type));
    return;
  }
  if (e.type == "error") {
    if (!find_object(e.data, "error")) fail("error event without an error object");
    phase_ = Phase::errored;
    return;
  }
  if (e.type == "message_start") {
    if (phase_ != Phase::before_start) fail("second message_start");
    auto* m = find_object(e.data, "message");
    if (!m || !find_object(*m, "usage") || !find_array(*m, "content"))
      fail("message_start without message.usage/content");
    phase_ = Phase::in_message;
    return;
  }
  if (phase_ == Phase::before_start) {
    fail(fmt::format("'{}' before message_start", e.type));
    phase_ = Phase::in_message;
  }
  auto index = find_int(e.data, "index");
  if (e.type == "content_block_start") {
    if (phase_ == Phase::after_delta) fail("content_block_start after message_delta");
    if (open_index_ >= 0) fail(fmt::format("block {} started while block {} is open", index.value_or(-1), open_index_));
    if (!index || *index != next_index_)
      fail(fmt::format("block index {} where {} was expected", index.value_or(-1), next_index_));
    auto* block = find_object(e.data, "content_block");
    auto btype = block ? find_string(*block, "type") : std::nullopt;
    if (!btype) fail("content_block_start without content_block.type");
    open_type_ = btype ? std::string(*btype) : "";
    if (open_type_ == "text" && !find_string(*block, "text")) fail("text block start without text:\"\"");
    if (open_type_ == "thinking" && !find_string(*block, "thinking"))
      fail("thinking block start without thinking:\"\"");
    if (open_type_ == "tool_use" &&
        (!find_string(*block, "id") || !find_string(*block, "name") || !find_object(*block, "input")))
      fail("tool_use block start without id/name/input");
    open_index_ = static_cast<int>(index.value_or(next_index_));
    next_index_ = open_index_ + 1;
    tool_json_.clear();
    return;
  }
  if (e.type == "content_block_delta") {
    if (!index || *index != open_index_) {
      fail(fmt::format("delta for block {} while block {} is open", index.value_or(-1), open_index_));
      return;
    }
    auto* d = find_object(e.data, "delta");
    auto dtype = d ? find_string(*d, "type") : std::nullopt;
    std::string dt = dtype ? std::string(*dtype) : "";
    bool ok = (dt == "text_delta" && open_type_ == "text" && find_string(*d, "text")) ||
              (dt == "input_json_delta" && open_type_ == "tool_use" && find_string(*d, "partial_json")) ||
              (dt == "thinking_delta" && open_type_ == "thinking" && find_string(*d, "thinking")) ||
              (dt == "signature_delta" && open_type_ == "thinking" && find_string(*d, "signature")) ||
              (dt == "citations_delta" && open_type_ == "text");
    if (!ok) fail(fmt::format("delta '{}' in a '{}' block", dt, open_type_));
    if (dt == "input_json_delta") tool_json_ += std::string(*find_string(*d, "partial_json"));
    return;
  }
  if (e.type == "content_block_stop") {
    if (!index || *index != open_index_) {
      fail(fmt::format("stop for block {} while block {} is open", index.value_or(-1), open_index_));
      return;
    }
    if (open_type_ == "tool_use" && !tool_json_.empty()) {
      // Malformed JSON breaks the SDKs' parser; a valid prefix is what Anthropic itself sends when
      // max_tokens cuts a call short, so it waits for the stop_reason.
      boost::system::error_code ec;
      json::parse_options opts;
      opts.max_depth = 1024;
      json::stream_parser p({}, opts);
      p.write(tool_json_.data(), tool_json_.size(), ec);
      auto first = tool_json_.find_first_not_of(" \t\r\n");
      if (ec || first == std::string::npos || tool_json_[first] != '{')
        fail(fmt::format("tool_use block {} input is not a JSON object: {}", open_index_, tool_json_));
      else if (!p.done())
        cut_tool_ = open_index_;
    }
    open_index_ = -1;
    return;
  }
  if (e.type == "message_delta") {
    if (open_index_ >= 0) fail(fmt::format("message_delta while block {} is open", open_index_));
    if (phase_ == Phase::after_delta) fail("second message_delta");
    auto* d = find_object(e.data, "delta");
    if (!d || !find_string(*d, "stop_reason")) fail("message_delta without stop_reason");
    if (cut_tool_ >= 0 && (!d || find_string(*d, "stop_reason").value_or("") != "max_tokens"))
      fail(fmt::format("tool_use block {} input is incomplete JSON, and stop_reason is not max_tokens", cut_tool_));
    auto* u = find_object(e.data, "usage");
    if (!u || !find_int(*u, "output_tokens")) fail("message_delta without usage.output_tokens");
    phase_ = Phase::after_delta;
    return;
  }
  if (e.type == "message_stop") {
    if (phase_ != Phase::after_delta) fail("message_stop without a message_delta before it");
    phase_ = Phase::stopped;
    return;
  }
  fail(fmt::format("unknown event '{}'", e.type));
}

const std::vector<std::string>& StreamValidator::finish() {
  if (!finished_) {
    finished_ = true;
    if (phase_ != Phase::stopped && phase_ != Phase::errored) fail("stream ended without message_stop or error");
  }
  return violations_;
}

std::vector<std::string> validate_stream(const Events& events) {
  StreamValidator v;
  for (auto& e : events) v.feed(e);
  return v.finish();
}

}  // namespace agp::anthropic
