#include "config/listen_address.hpp"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace agp::config {

bool parse_listen_address(std::string_view text, std::string& host, std::uint16_t& port) {
  // ASP.NET style: scheme://host:port, '+' or '*' meaning every interface; first of a ';' list.
  if (auto semi = text.find(';'); semi != std::string_view::npos) text = text.substr(0, semi);
  if (auto p = text.find("://"); p != std::string_view::npos) text = text.substr(p + 3);
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  std::string_view h, p;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return false;
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (ec != std::errc{} || ptr != p.data() + p.size() || value > 65535 || p.empty()) return false;
  if (h.empty() || h == "+" || h == "*") h = "0.0.0.0";
  if (h == "localhost") h = "127.0.0.1";
  boost::system::error_code ec2;
  boost::asio::ip::make_address(std::string(h), ec2);
  if (ec2) return false;
  host = std::string(h);
  port = static_cast<std::uint16_t>(value);
  return true;
}
}  // namespace agp::config
