// Identifiers: random ids in the protocols' own prefixes, and stable short hashes.
#pragma once

#include <string>
#include <string_view>

namespace agp {

// prefix + n random characters from [A-Za-z0-9] (cryptographic RNG).
std::string random_id(std::string_view prefix, std::size_t n = 24);
// Lowercase hex SHA-256 of the input.
std::string sha256_hex(std::string_view data);
// Compares two secrets in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace agp
