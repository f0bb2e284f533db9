#include "core/reasoning_signature.hpp"

namespace agp {

namespace {
constexpr std::string_view kSignaturePrefix = "agp1:";
}

std::string make_signature(std::string_view item_id, std::string_view encrypted_content) {
  return std::string(kSignaturePrefix) + std::string(item_id) + ":" + std::string(encrypted_content);
}

std::optional<ReasoningRef> parse_signature(std::string_view sig) {
  if (!sig.starts_with(kSignaturePrefix)) return std::nullopt;
  sig.remove_prefix(kSignaturePrefix.size());
  auto colon = sig.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= sig.size()) return std::nullopt;
  ReasoningRef r{std::string(sig.substr(0, colon)), std::string(sig.substr(colon + 1))};
  if (!r.id.starts_with("rs_")) return std::nullopt;
  return r;
}

}  // namespace agp
