#include "anthropic/events.hpp"

#include "wire/sse.hpp"

namespace agp::anthropic {

std::string to_sse(const Event& e) { return wire::format_sse(e.type, json::serialize(e.data)); }

std::string to_sse(const Events& events) {
  std::string out;
  for (auto& e : events) out += to_sse(e);
  return out;
}

}  // namespace agp::anthropic
