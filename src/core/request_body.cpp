#include "core/request_body.hpp"

#include <fmt/format.h>

#include <cmath>

namespace agp::body {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// A high-surrogate escape ("\uD800"…"\uDBFF") just before `at`: a pair left without its low half.
bool high_surrogate_before(std::string_view t, std::size_t at) {
  for (std::size_t p = at > 13 ? at - 13 : 0; p < at && p + 6 <= t.size(); ++p) {
    auto e = t.substr(p, 6);
    if (e[0] == '\\' && (e[1] == 'u' || e[1] == 'U') && (e[2] == 'd' || e[2] == 'D') &&
        std::string_view("89abAB").find(e[3]) != std::string_view::npos)
      return true;
  }
  return false;
}

// The lead byte of a multi-byte UTF-8 sequence that `at` falls inside, if any.
std::optional<std::size_t> utf8_lead_before(std::string_view t, std::size_t at) {
  for (std::size_t k = 1; k <= 3 && k <= at; ++k) {
    auto b = static_cast<unsigned char>(t[at - k]);
    if (b < 0x80) return std::nullopt;
    if (b >= 0xC0) {
      std::size_t len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
      return k < len ? std::optional<std::size_t>(at - k) : std::nullopt;
    }
  }
  return std::nullopt;
}

std::string describe(std::string_view t, std::size_t at, boost::system::error_code ec) {
  namespace je = boost::json;
  if (ec == je::error::too_deep) return fmt::format("nesting deeper than {} levels", kMaxDepth);
  if (ec == je::error::incomplete) return t.empty() ? "the body is empty" : "unexpected end of the body";
  if (ec == je::error::extra_data) return "extra data after the JSON value";
  bool surrogate = ec == je::error::illegal_leading_surrogate || ec == je::error::illegal_trailing_surrogate ||
                   ec == je::error::expected_utf16_escape;
  if (surrogate || high_surrogate_before(t, at))
    return high_surrogate_before(t, at) ? "no low surrogate in string" : "lone low surrogate in string";
  if (at < t.size()) {
    auto c = static_cast<unsigned char>(t[at]);
    if (c >= 0x80) return fmt::format("invalid UTF-8 (byte 0x{:02X})", c);
    if (c < 0x20) return fmt::format("invalid control character 0x{:02X} in a string", c);
    return fmt::format("unexpected character '{}'", static_cast<char>(c));
  }
  return ec.message();
}

SyntaxError syntax_error(std::string_view t, std::size_t at, boost::system::error_code ec) {
  SyntaxError e;
  // A sequence cut short by a byte that is not a continuation: the sequence is what is invalid.
  if (ec == json::error::syntax)
    if (auto lead = utf8_lead_before(t, at)) at = *lead;
  e.what = describe(t, at, ec);
  e.offset = at;
  for (std::size_t i = 0; i < at && i < t.size(); ++i) {
    if (t[i] == '\n') {
      ++e.line;
      e.column = 1;
    } else {
      ++e.column;
    }
  }
  return e;
}

// The first number that is not finite (1e400 parses as infinity), depth-first, and its path. The
// walk allocates nothing for a body without one (every request's): the path is built on the way
// back up, only when such a number was found.
bool find_non_finite(const json::value& v, Path& path) {
  if (auto* d = v.if_double()) return !std::isfinite(*d);
  if (auto* a = v.if_array()) {
    for (std::size_t i = 0; i < a->size(); ++i)
      if (find_non_finite((*a)[i], path)) {
        path.insert(path.begin(), Segment{{}, i, true});
        return true;
      }
  } else if (auto* o = v.if_object()) {
    for (auto& kv : *o)
      if (find_non_finite(kv.value(), path)) {
        path.insert(path.begin(), Segment{std::string(kv.key()), 0, false});
        return true;
      }
  }
  return false;
}

}  // namespace

std::string dotted(const Path& p) {
  std::string out;
  for (auto& s : p) {
    if (!out.empty()) out += '.';
    out += s.is_index ? std::to_string(s.index) : s.key;
  }
  return out;
}

std::string bracketed(const Path& p) {
  std::string out;
  for (auto& s : p) {
    if (s.is_index) {
      out += '[';
      out += std::to_string(s.index);
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out += s.key;
    }
  }
  return out;
}

Parsed parse(std::string_view text) {
  Parsed out;
  json::parse_options opts;
  opts.max_depth = kMaxDepth;
  json::stream_parser p({}, opts);
  boost::system::error_code ec;
  std::size_t n = p.write_some(text.data(), text.size(), ec);
  if (!ec) {
    for (std::size_t i = n; i < text.size(); ++i)
      if (!is_ws(text[i])) {
        out.syntax = syntax_error(text, i, json::error::extra_data);
        return out;
      }
    p.finish(ec);
    if (ec) n = text.size();
  }
  if (ec) {
    out.syntax = syntax_error(text, n, ec);
    return out;
  }
  out.value = p.release();
  if (Path path; find_non_finite(out.value, path))
    out.bad = BadValue{std::move(path), "number out of range (beyond ±1.8e308)"};
  return out;
}

std::string position(const SyntaxError& e) {
  return fmt::format("line {} column {} (char {})", e.line, e.column, e.offset);
}

std::string_view openai_kind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
      return "an integer";
    case json::kind::double_:
      return "a decimal";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

}  // namespace agp::body
