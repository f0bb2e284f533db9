// Builds a well-formed Anthropic event stream: message_start once, blocks indexed 0,1,2…
// one open at a time, message_delta + message_stop at the end, or one error event.
// The upstream translators (Chat, Responses) say what happened; this says it in order.
#pragma once

#include "anthropic/events.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace agp::anthropic {

struct FinalUsage {
  std::int64_t input_tokens = 0, cache_read_input_tokens = 0, output_tokens = 0;
  std::int64_t thinking_tokens = -1;  // output_tokens_details.thinking_tokens; -1 = not reported
};

// The usage object of message_delta and of a whole message.
json::object usage_object(const FinalUsage& u);

class StreamBuilder {
 public:
  enum class Block { none, text, thinking, tool_use };

  StreamBuilder(std::string message_id, std::string model, std::int64_t input_tokens_estimate);

  Events start();  // message_start (once)
  void text(Events& out, std::string_view delta);
  void thinking(Events& out, std::string_view delta);  // opens a thinking block if needed
  void open_thinking(Events& out);
  void signature(Events& out, std::string_view sig);  // into the open thinking block
  void open_tool(Events& out, std::string id, std::string name);
  void tool_input(Events& out, std::string_view partial_json);
  void close(Events& out);
  void finish(Events& out, std::string_view stop_reason, std::optional<std::string> stop_sequence,
              const FinalUsage& usage, const json::value& context_management = nullptr);
  void fail(Events& out, const Error& e);

  Block open() const { return open_; }
  bool ended() const { return ended_; }
  bool any_tool() const { return any_tool_; }
  std::size_t output_chars() const { return output_chars_; }

 private:
  void open_block(Events& out, Block kind, json::object content_block);
  void delta(Events& out, json::object d);
  std::string message_id_, model_;
  std::int64_t input_estimate_;
  Block open_ = Block::none;
  int index_ = -1;
  bool started_ = false, ended_ = false, any_tool_ = false;
  std::size_t output_chars_ = 0;
};

}  // namespace agp::anthropic
