#include "tokens/estimate.hpp"

namespace agp::tokens {

namespace json = boost::json;

namespace {
constexpr std::int64_t kPerMessage = 3;  // role and separators in the chat template
constexpr std::int64_t kPerImage = 765;  // a 1024x1024 image at high detail on gpt-4o-class models

std::int64_t walk(const json::value& v, std::string_view key) {
  switch (v.kind()) {
    case json::kind::string: {
      std::string_view s = v.get_string();
      if (key == "url" && s.starts_with("data:image/")) return kPerImage;
      if (key == "file_data") return static_cast<std::int64_t>(s.size() / 4 / 3);  // PDFs: rough
      return estimate_text(s);
    }
    case json::kind::array: {
      std::int64_t n = 0;
      for (auto& x : v.get_array()) n += walk(x, key);
      return n;
    }
    case json::kind::object: {
      std::int64_t n = 0;
      for (auto& [k, x] : v.get_object()) n += walk(x, k) + (k == "type" ? 0 : 1);
      return n;
    }
    default:
      return 1;
  }
}
}  // namespace

std::int64_t estimate_text(std::string_view utf8) {
  std::int64_t ascii = 0, other = 0;
  for (unsigned char c : utf8) {
    if (c < 0x80)
      ++ascii;
    else if ((c & 0xC0) != 0x80)
      ++other;  // lead byte of a multi-byte code point
  }
  return (ascii + 3) / 4 + other;
}

std::int64_t estimate_chat_request(const json::object& body) {
  std::int64_t n = 3;  // reply priming
  if (auto* m = body.if_contains("messages"); m && m->is_array())
    for (auto& msg : m->get_array()) n += kPerMessage + walk(msg, "");
  if (auto* t = body.if_contains("tools")) n += walk(*t, "");
  return n;
}

}  // namespace agp::tokens
