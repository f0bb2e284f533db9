// How an upstream reasoning item travels through a client that can only return an opaque
// signature (Anthropic thinking blocks): "agp1:" + reasoning item id + ":" + encrypted_content.
// Anything else (e.g. a real Anthropic signature) is foreign and is dropped.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace agp {

std::string make_signature(std::string_view item_id, std::string_view encrypted_content);

struct ReasoningRef {
  std::string id, encrypted_content;
};
std::optional<ReasoningRef> parse_signature(std::string_view signature);

}  // namespace agp
