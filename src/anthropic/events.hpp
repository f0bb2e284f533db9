// Anthropic stream events as values, and their SSE rendering.
#pragma once

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace agp::anthropic {

namespace json = boost::json;

struct Event {
  std::string type;   // message_start, content_block_delta, ..., ping, error
  json::object data;  // includes "type"
};

using Events = std::vector<Event>;

std::string to_sse(const Event& e);
std::string to_sse(const Events& events);

}  // namespace agp::anthropic
