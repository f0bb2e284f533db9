// Query strings and form bodies: percent-decoding and one parameter by name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mock {

inline std::string url_decode(std::string_view s) {
  auto hex = [](char ch) {
    int c = static_cast<unsigned char>(ch) | 32;
    return ch >= '0' && ch <= '9' ? ch - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i] == '+' ? ' ' : s[i];
  }
  return out;
}

// `name` in "a=1&b=2" (a query or an application/x-www-form-urlencoded body), decoded.
inline std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    auto eq = part.find('=');
    if (part.substr(0, eq) == name) return url_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace mock
