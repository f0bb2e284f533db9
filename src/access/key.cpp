#include "access/key.hpp"

#include "core/ids.hpp"

namespace agp::access {

std::string generate_key() { return random_id(kKeyPrefix, kKeyRandomChars); }

std::string key_hash(std::string_view key) { return sha256_hex(key); }

bool looks_like_key(std::string_view token) {
  if (!token.starts_with(kKeyPrefix) || token.size() != kKeyPrefix.size() + kKeyRandomChars) return false;
  for (char c : token.substr(kKeyPrefix.size()))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

std::string display_prefix(std::string_view key) { return std::string(key.substr(0, 8)); }

}  // namespace agp::access
