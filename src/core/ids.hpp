// Identifiers: random ids in the protocols' own prefixes, and stable short hashes.
#pragma once

#include <string>
#include <string_view>

namespace agp {

// prefix + n random characters from [A-Za-z0-9] (cryptographic RNG).
std::string random_id(std::string_view prefix, std::size_t n = 24);
// The request's id: the client's x-request-id when it is 1–128 visible ASCII characters (no
// spaces, so log lines stay parseable), else a new req_… id.
std::string request_id_for(std::string_view offered);
// Lowercase hex SHA-256 of the input.
std::string sha256_hex(std::string_view data);
// Compares two secrets in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace agp
