// Checks a sequence of Anthropic stream events against the grammar the SDKs rely on:
// message_start first, blocks 0,1,2… each start → deltas → stop, delta types matching the
// block, tool input JSON complete, one message_delta with stop_reason and usage, message_stop.
#pragma once

#include "anthropic/events.hpp"

#include <string>
#include <vector>

namespace agp::anthropic {

class StreamValidator {
 public:
  // Feeds one event; violations accumulate.
  void feed(const Event& e);
  // Call at the end of the stream; returns every violation found (empty = valid).
  const std::vector<std::string>& finish();
  const std::vector<std::string>& violations() const { return violations_; }

 private:
  void fail(std::string what);
  enum class Phase { before_start, in_message, after_delta, stopped, errored };
  Phase phase_ = Phase::before_start;
  int next_index_ = 0;
  int open_index_ = -1;
  std::string open_type_;
  std::string tool_json_;
  int cut_tool_ = -1;  // a tool_use block whose input stopped mid-JSON (fine only with max_tokens)
  bool finished_ = false;
  std::vector<std::string> violations_;
};

std::vector<std::string> validate_stream(const Events& events);

}  // namespace agp::anthropic
