// The one parse of a client's JSON body, for every front end: the limits (nesting depth), where a
// syntax error is (line, column, byte), and the values JSON allows but no upstream takes (a number
// beyond a double, 1e400, which would be re-serialized as garbage), named by their field path.
// Each front end words the failure in its own protocol (anthropic/request.cpp, openai/chat/from_client.cpp).
#pragma once

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agp::body {

namespace json = boost::json;

// The limits every front end applies (the body size, 32 MB, is the HTTP server's).
// Deeper bodies are refused ("nesting deeper than 256 levels"); no client request needs a tenth of it.
inline constexpr std::size_t kMaxDepth = 256;
// Anthropic's own limit on `messages`, applied to OpenAI clients' too.
inline constexpr std::size_t kMaxMessages = 100000;
// Integer fields (max_tokens, budget_tokens, top_k): no model takes more, and nothing downstream
// has to think about overflow.
inline constexpr std::int64_t kMaxInteger = 2147483647;

// A field path: keys and array indexes from the top of the body.
struct Segment {
  std::string key;        // when !is_index
  std::size_t index = 0;  // when is_index
  bool is_index = false;
};
using Path = std::vector<Segment>;

// Anthropic's notation "messages.3.content.0.type"; OpenAI's "messages[3].content[0].type".
std::string dotted(const Path& p);
std::string bracketed(const Path& p);

struct SyntaxError {
  std::string what;  // "invalid UTF-8 byte 0xFF in a string", "nesting deeper than 256 levels", …
  std::size_t offset = 0, line = 1, column = 1;  // offset 0-based; line and column 1-based
};

struct BadValue {
  Path path;
  std::string what;
};

struct Parsed {
  json::value value;                  // null when syntax is set
  std::optional<SyntaxError> syntax;  // not JSON (or too deep)
  std::optional<BadValue> bad;        // JSON, but a value no upstream takes
};

// simdjson finds the structure and unescapes the strings (the 50 KB Claude Code request's parse into
// the conversation: 174 → 113 µs; Boost.JSON 1.81 copies an escaped string one byte at a time), and
// Boost.JSON's value_stack builds the value. Whatever simdjson refuses — a syntax error, a number
// beyond 64 bits that JSON allows — and a body nested deeper than half the limit goes to
// parse_reference, so the result and every error's wording are the reference's.
Parsed parse(std::string_view text);

// Boost.JSON's parser alone: the error wording (line, column, what), and the oracle parse's tests
// compare with.
Parsed parse_reference(std::string_view text);

// "line 1 column 9 (char 8)": Python's json wording, which Anthropic's own errors use.
std::string position(const SyntaxError& e);

// A JSON value's kind in OpenAI's error wording: "a string", "an object", "an integer", "a decimal", …
std::string_view openai_kind(const json::value& v);

}  // namespace agp::body
