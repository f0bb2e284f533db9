// tokens::Tokenizer::encode on arbitrary bytes, both encodings: ids decode back to the text
// when it is valid UTF-8 (invalid UTF-8 is replaced with U+FFFD first, so only then), and
// count() agrees with encode().
#include "fuzz_util.hpp"
#include "tokens/tokenizer.hpp"

#include <boost/json.hpp>

namespace {
// Valid UTF-8 as boost::json's parser accepts it inside a string (no surrogates, no overlongs).
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!n || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? c : c & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
      auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xc0) != 0x80) return false;
      cp = cp << 6 | (d & 0x3f);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = agp_fuzz::bytes(data, size);
  for (auto e : {agp::tokens::Encoding::o200k_base, agp::tokens::Encoding::cl100k_base}) {
    auto& tk = agp::tokens::Tokenizer::get(e);
    auto ids = tk.encode(text);
    agp_fuzz::check(tk.count(text) == ids.size(), "count() == encode().size()");
    agp_fuzz::check(ids.size() <= 3 * size + 3, "at most a few tokens per byte");
    if (valid_utf8(text)) agp_fuzz::check(tk.decode(ids) == text, "decode(encode(text)) == text");
  }
  return 0;
}
