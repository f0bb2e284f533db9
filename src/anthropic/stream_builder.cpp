#include "anthropic/stream_builder.hpp"

#include "anthropic/errors.hpp"

namespace agp::anthropic {

StreamBuilder::StreamBuilder(std::string message_id, std::string model, std::int64_t input_tokens_estimate)
    : message_id_(std::move(message_id)), model_(std::move(model)), input_estimate_(input_tokens_estimate) {}

Events StreamBuilder::start() {
  Events out;
  if (started_) return out;
  started_ = true;
  json::object message{{"id", message_id_},
                       {"type", "message"},
                       {"role", "assistant"},
                       {"model", model_},
                       {"content", json::array{}},
                       {"stop_reason", nullptr},
                       {"stop_sequence", nullptr},
                       {"usage",
                        {{"input_tokens", input_estimate_},
                         {"cache_creation_input_tokens", 0},
                         {"cache_read_input_tokens", 0},
                         {"output_tokens", 1}}}};
  out.push_back({"message_start", {{"type", "message_start"}, {"message", std::move(message)}}});
  return out;
}

void StreamBuilder::open_block(Events& out, Block kind, json::object content_block) {
  close(out);
  ++index_;
  open_ = kind;
  out.push_back({"content_block_start",
                 {{"type", "content_block_start"}, {"index", index_}, {"content_block", std::move(content_block)}}});
}

void StreamBuilder::delta(Events& out, json::object d) {
  out.push_back({"content_block_delta", {{"type", "content_block_delta"}, {"index", index_}, {"delta", std::move(d)}}});
}

void StreamBuilder::text(Events& out, std::string_view t) {
  if (ended_ || t.empty()) return;
  if (open_ != Block::text) open_block(out, Block::text, {{"type", "text"}, {"text", ""}});
  delta(out, {{"type", "text_delta"}, {"text", t}});
  output_chars_ += t.size();
}

void StreamBuilder::open_thinking(Events& out) {
  if (ended_ || open_ == Block::thinking) return;
  open_block(out, Block::thinking, {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}});
}

void StreamBuilder::thinking(Events& out, std::string_view t) {
  if (ended_ || t.empty()) return;
  open_thinking(out);
  delta(out, {{"type", "thinking_delta"}, {"thinking", t}});
  output_chars_ += t.size();
}

void StreamBuilder::signature(Events& out, std::string_view sig) {
  if (ended_ || open_ != Block::thinking || sig.empty()) return;
  delta(out, {{"type", "signature_delta"}, {"signature", sig}});
}

void StreamBuilder::open_tool(Events& out, std::string id, std::string name) {
  if (ended_) return;
  any_tool_ = true;
  open_block(out, Block::tool_use,
             {{"type", "tool_use"}, {"id", std::move(id)}, {"name", std::move(name)}, {"input", json::object{}}});
}

void StreamBuilder::tool_input(Events& out, std::string_view partial_json) {
  if (ended_ || open_ != Block::tool_use || partial_json.empty()) return;
  delta(out, {{"type", "input_json_delta"}, {"partial_json", partial_json}});
  output_chars_ += partial_json.size();
}

void StreamBuilder::close(Events& out) {
  if (open_ == Block::none) return;
  out.push_back({"content_block_stop", {{"type", "content_block_stop"}, {"index", index_}}});
  open_ = Block::none;
}

json::object usage_object(const FinalUsage& u) {
  json::object o{{"input_tokens", u.input_tokens},
                 {"cache_creation_input_tokens", 0},
                 {"cache_read_input_tokens", u.cache_read_input_tokens},
                 {"output_tokens", u.output_tokens}};
  if (u.thinking_tokens >= 0) o["output_tokens_details"] = {{"thinking_tokens", u.thinking_tokens}};
  return o;
}

void StreamBuilder::finish(Events& out, std::string_view stop_reason, std::optional<std::string> stop_sequence,
                           const FinalUsage& usage, const json::value& context_management) {
  if (ended_) return;
  auto first = start();
  out.insert(out.begin(), first.begin(), first.end());
  close(out);
  ended_ = true;
  json::object delta{{"type", "message_delta"},
                     {"delta",
                      {{"stop_reason", stop_reason},
                       {"stop_sequence", stop_sequence ? json::value(*stop_sequence) : json::value(nullptr)}}},
                     {"usage", usage_object(usage)}};
  if (!context_management.is_null()) delta["context_management"] = context_management;
  out.push_back({"message_delta", std::move(delta)});
  out.push_back({"message_stop", {{"type", "message_stop"}}});
}

void StreamBuilder::fail(Events& out, const Error& e) {
  if (ended_) return;
  // The open block is left unterminated on purpose: nothing may follow `event: error`, and the
  // SDKs discard the partial message.
  ended_ = true;
  out.push_back(error_event(e));
}

}  // namespace agp::anthropic
