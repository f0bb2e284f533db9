// The listen address of the proxy: "HOST:PORT", "[v6]:PORT", ":PORT", or ASP.NET-style "http://+:8080".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace agp::config {

// Returns false on malformed input.
bool parse_listen_address(std::string_view text, std::string& host, std::uint16_t& port);

}  // namespace agp::config
