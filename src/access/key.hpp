// Client keys: the format (agp- + 43 base62 characters from RAND_bytes), the hash that is stored
// instead of the key, and the short prefix shown in listings.
#pragma once

#include <string>
#include <string_view>

namespace agp::access {

inline constexpr std::string_view kKeyPrefix = "agp-";
inline constexpr std::size_t kKeyRandomChars = 43;  // 43 base62 characters: 256 bits

// A new key, to be shown once and stored only as key_hash(key).
std::string generate_key();
// SHA-256 of the key, lowercase hex: what the database keeps.
std::string key_hash(std::string_view key);
// agp- then 43 base62 characters.
bool looks_like_key(std::string_view token);
// What listings show of a key: its first 8 characters ("agp-AbCd"), too short to be used.
std::string display_prefix(std::string_view key);

}  // namespace agp::access
