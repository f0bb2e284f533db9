// A quick token estimate for a translated Chat request (until exact o200k counting lands):
// ASCII text at ~4 bytes a token, other code points ~1 token each, a fixed cost per image
// and per message.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <string_view>

namespace agp::tokens {

std::int64_t estimate_text(std::string_view utf8);
std::int64_t estimate_chat_request(const boost::json::object& chat_body);

}  // namespace agp::tokens
