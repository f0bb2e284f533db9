#include "core/request_body.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <cstring>
#include <vector>

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

void check_finite(Parsed& out) {
  if (Path path; find_non_finite(out.value, path))
    out.bad = BadValue{std::move(path), "number out of range (beyond ±1.8e308)"};
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

Parsed parse_reference(std::string_view text) {
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
  check_finite(out);
  return out;
}

namespace {

// simdjson's document walked into Boost.JSON's value_stack: the same builder Boost's own parser
// feeds, so objects come out as Boost.JSON makes them (a repeated key keeps its last value).
// False when the nesting reaches kFastDepth: such a body goes to the reference parser, which
// words the limit.
constexpr std::size_t kFastDepth = kMaxDepth / 2;

bool build(simdjson::dom::element e, json::value_stack& st, std::size_t depth) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::OBJECT: {
      if (depth >= kFastDepth) return false;
      simdjson::dom::object o = e.get_object().value_unsafe();  // named: a range over a temporary's member dangles
      std::size_t n = 0;
      for (auto field : o) {
        st.push_key(json::string_view(field.key.data(), field.key.size()));
        if (!build(field.value, st, depth + 1)) return false;
        ++n;
      }
      st.push_object(n);
      return true;
    }
    case T::ARRAY: {
      if (depth >= kFastDepth) return false;
      simdjson::dom::array a = e.get_array().value_unsafe();
      std::size_t n = 0;
      for (auto item : a) {
        if (!build(item, st, depth + 1)) return false;
        ++n;
      }
      st.push_array(n);
      return true;
    }
    case T::STRING: {
      auto v = e.get_string().value_unsafe();
      st.push_string(json::string_view(v.data(), v.size()));
      return true;
    }
    case T::INT64:
      st.push_int64(e.get_int64().value_unsafe());
      return true;
    case T::UINT64:
      st.push_uint64(e.get_uint64().value_unsafe());
      return true;
    case T::DOUBLE:
      st.push_double(e.get_double().value_unsafe());
      return true;
    case T::BOOL:
      st.push_bool(e.get_bool().value_unsafe());
      return true;
    case T::NULL_VALUE:
      st.push_null();
      return true;
  }
  return false;
}

// One simdjson parser per thread for the bodies most requests are, with the padded copy of the
// body simdjson reads (it keeps both, sized to the largest body it has seen: no allocation per
// request); a larger body gets a parser and a copy of its own, freed with it, so that one big
// request does not pin megabytes to an I/O thread.
constexpr std::size_t kReusedParserLimit = 512 * 1024;

struct ThreadParser {
  simdjson::dom::parser parser;
  std::vector<char> padded;
};

}  // namespace

Parsed parse(std::string_view text) {
  simdjson::dom::parser own;
  simdjson::simdjson_result<simdjson::dom::element> doc;
  if (text.size() <= kReusedParserLimit) {
    thread_local ThreadParser t;
    if (t.padded.size() < text.size() + simdjson::SIMDJSON_PADDING) t.padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
    if (!text.empty()) std::memcpy(t.padded.data(), text.data(), text.size());  // an empty view's data() may be null
    std::memset(t.padded.data() + text.size(), 0, simdjson::SIMDJSON_PADDING);
    doc = t.parser.parse(t.padded.data(), text.size(), false);  // false: the copy is padded already
  } else {
    doc = own.parse(text.data(), text.size(), true);  // true: copied into a padded buffer
  }
  if (doc.error()) return parse_reference(text);  // not JSON, or a number Boost takes and simdjson does not
  json::value_stack st;
  st.reset();
  if (!build(doc.value_unsafe(), st, 0)) return parse_reference(text);
  Parsed out;
  out.value = st.release();
  check_finite(out);
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
