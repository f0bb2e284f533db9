#include "tokens/tokenizer.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <queue>

#include "tokens/vocab_blob.hpp"

namespace agp::tokens {

namespace {

constexpr std::uint32_t kNone = 0xFFFFFFFFu;

// The official split patterns, exactly as in tiktoken (and in the vocabulary's pat_str,
// which is checked against these at load).
constexpr std::string_view kO200kPattern =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr std::string_view kCl100kPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// tiktoken's regex engine (Rust regex / fancy-regex) defines \s as Unicode White_Space.
// PCRE2 with UCP defines it as \p{Zs} | \h | \v, which also has U+180E (MONGOLIAN VOWEL
// SEPARATOR, no longer White_Space since Unicode 6.3). Spell White_Space out instead.
constexpr std::string_view kWhiteSpace =
    R"(\t-\r\x20\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";

std::string to_pcre2(std::string_view official) {
  std::string out;
  for (std::size_t i = 0; i < official.size(); ++i) {
    if (official.substr(i, 4) == R"([^\s)") {
      out += "[^";
      out += kWhiteSpace;
      i += 3;
    } else if (official.substr(i, 2) == R"(\s)") {
      out += "[";
      out += kWhiteSpace;
      out += "]";
      ++i;
    } else if (official.substr(i, 2) == R"(\S)") {
      out += "[^";
      out += kWhiteSpace;
      out += "]";
      ++i;
    } else {
      out += official[i];
    }
  }
  return out;
}

std::uint32_t rd32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

inline std::uint64_t hash_bytes(const unsigned char* p, std::size_t n) {
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
  while (n >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    h = (h ^ v) * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 31;
    p += 8;
    n -= 8;
  }
  std::uint64_t v = 0;
  std::memcpy(&v, p, n);
  h = (h ^ v) * 0x165667B19E3779F9ull;
  h ^= h >> 29;
  h *= 0x94D049BB133111EBull;
  return h ^ (h >> 32);
}

// Replaces invalid UTF-8 with U+FFFD (one per maximal subpart, as the WHATWG decoder).
// Returns false (and leaves `out` untouched) when the input is already valid.
bool sanitize_utf8(std::string_view in, std::string& out) {
  auto* s = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t n = in.size(), i = 0;
  bool bad = false;
  std::string fixed;
  auto need = [&](std::size_t upto) {
    if (!bad) {
      bad = true;
      fixed.assign(in.data(), upto);
    }
  };
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (bad) fixed += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    }
    std::size_t k = 1;
    if (len) {
      for (; k < len && i + k < n; ++k) {
        unsigned char d = s[i + k];
        if (d < (k == 1 ? lo : 0x80) || d > (k == 1 ? hi : 0xBF)) break;
      }
    }
    if (len && k == len) {
      if (bad) fixed.append(in.data() + i, len);
      i += len;
    } else {
      need(i);
      fixed += "\xEF\xBF\xBD";
      i += len ? k : 1;
    }
  }
  if (bad) out = std::move(fixed);
  return bad;
}

}  // namespace

struct Tokenizer::Impl {
  const unsigned char* offsets = nullptr;  // n_ranks + 1 little-endian u32
  const unsigned char* bytes = nullptr;
  std::uint32_t n_ranks = 0;
  std::vector<std::uint32_t> table;  // open addressing: rank + 1, 0 = empty
  std::uint64_t mask = 0;
  std::array<std::uint32_t, 256> byte_rank{};
  std::vector<std::pair<std::uint32_t, std::string>> specials;
  pcre2_code* re = nullptr;

  std::uint32_t off(std::uint32_t r) const { return rd32(offsets + 4 * static_cast<std::size_t>(r)); }

  std::uint32_t lookup(const unsigned char* p, std::size_t n) const {
    std::uint64_t h = hash_bytes(p, n) & mask;
    for (;;) {
      std::uint32_t v = table[h];
      if (v == 0) return kNone;
      std::uint32_t r = v - 1, a = off(r), b = off(r + 1);
      if (b - a == n && std::memcmp(bytes + a, p, n) == 0) return r;
      h = (h + 1) & mask;
    }
  }

  void bpe(const unsigned char* p, std::size_t n, std::vector<std::uint32_t>& out) const;
  void bpe_small(const unsigned char* p, std::size_t n, std::vector<std::uint32_t>& out) const;
  void bpe_large(const unsigned char* p, std::size_t n, std::vector<std::uint32_t>& out) const;
};

// tiktoken's _byte_pair_merge, verbatim in structure: parts (start, rank of the pair that
// starts there); repeatedly merge the leftmost lowest-ranked pair.
void Tokenizer::Impl::bpe_small(const unsigned char* p, std::size_t n, std::vector<std::uint32_t>& out) const {
  struct Part {
    std::uint32_t start, rank;
  };
  std::array<Part, 130> parts;
  std::size_t m = n + 1;
  for (std::size_t i = 0; i + 1 < n; ++i) parts[i] = {static_cast<std::uint32_t>(i), lookup(p + i, 2)};
  parts[n - 1] = {static_cast<std::uint32_t>(n - 1), kNone};
  parts[n] = {static_cast<std::uint32_t>(n), kNone};
  auto get_rank = [&](std::size_t i) -> std::uint32_t {
    if (i + 3 < m) return lookup(p + parts[i].start, parts[i + 3].start - parts[i].start);
    return kNone;
  };
  for (;;) {
    std::uint32_t best = kNone;
    std::size_t bi = 0;
    for (std::size_t i = 0; i + 1 < m; ++i)
      if (parts[i].rank < best) {
        best = parts[i].rank;
        bi = i;
      }
    if (best == kNone) break;
    if (bi > 0) parts[bi - 1].rank = get_rank(bi - 1);
    parts[bi].rank = get_rank(bi);
    for (std::size_t j = bi + 1; j + 1 < m; ++j) parts[j] = parts[j + 1];
    --m;
  }
  for (std::size_t i = 0; i + 1 < m; ++i) out.push_back(lookup(p + parts[i].start, parts[i + 1].start - parts[i].start));
}

// The same merge order (lowest rank first, leftmost on ties) with a heap and a linked
// list: O(n log n) instead of O(n^2) for long pieces (CJK runs, base64, long symbol runs).
void Tokenizer::Impl::bpe_large(const unsigned char* p, std::size_t n, std::vector<std::uint32_t>& out) const {
  std::vector<std::uint32_t> next(n), prev(n), rank(n, kNone);
  std::vector<bool> alive(n, true);
  for (std::size_t i = 0; i < n; ++i) {
    next[i] = static_cast<std::uint32_t>(i + 1);
    prev[i] = static_cast<std::uint32_t>(i) - 1;  // wraps to kNone for i == 0
  }
  auto end_of = [&](std::uint32_t i) -> std::size_t { return next[i]; };  // next start, or n
  using Entry = std::uint64_t;  // rank << 32 | position
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  auto pair_rank = [&](std::uint32_t i) -> std::uint32_t {
    if (i == kNone || next[i] >= n) return kNone;
    std::size_t e = end_of(next[i]);
    return lookup(p + i, e - i);
  };
  for (std::uint32_t i = 0; i + 1 < n; ++i) {
    rank[i] = lookup(p + i, 2);
    if (rank[i] != kNone) heap.push(static_cast<Entry>(rank[i]) << 32 | i);
  }
  while (!heap.empty()) {
    Entry top = heap.top();
    heap.pop();
    auto r = static_cast<std::uint32_t>(top >> 32);
    auto i = static_cast<std::uint32_t>(top & 0xFFFFFFFFu);
    if (!alive[i] || rank[i] != r || next[i] >= n) continue;
    std::uint32_t j = next[i];
    alive[j] = false;
    next[i] = next[j];
    if (next[j] < n) prev[next[j]] = i;
    rank[i] = pair_rank(i);
    if (rank[i] != kNone) heap.push(static_cast<Entry>(rank[i]) << 32 | i);
    if (std::uint32_t q = prev[i]; q != kNone) {
      rank[q] = pair_rank(q);
      if (rank[q] != kNone) heap.push(static_cast<Entry>(rank[q]) << 32 | q);
    }
  }
  for (std::uint32_t i = 0; i < n; i = next[i]) out.push_back(lookup(p + i, next[i] - i));
}

void Tokenizer::Impl::bpe(const unsigned char* p, std::size_t n, std::vector<std::uint32_t>& out) const {
  if (n == 1) {
    out.push_back(byte_rank[p[0]]);
    return;
  }
  if (std::uint32_t r = lookup(p, n); r != kNone) {
    out.push_back(r);
    return;
  }
  if (n < 128) bpe_small(p, n, out);
  else bpe_large(p, n, out);
}

Tokenizer::Tokenizer(Encoding e) : enc_(e), impl_(std::make_unique<Impl>()) {
  auto blob = vocab_blob(e);
  std::string name(encoding_name(e));
  auto fail = [&](const std::string& why) {
    throw VocabError("token vocabulary " + name + ": " + why +
                     " (the build embeds it from npm tiktoken@1.0.22; re-run scripts/setup.sh and rebuild)");
  };
  const auto* d = blob.data();
  if (blob.size() < 20 || std::memcmp(d, "AGPTKV1\0", 8) != 0) fail("missing or corrupt blob");
  auto& im = *impl_;
  im.n_ranks = rd32(d + 8);
  std::uint32_t n_special = rd32(d + 12), pat_len = rd32(d + 16);
  std::size_t pos = 20;
  if (pos + pat_len > blob.size()) fail("truncated");
  std::string_view pat(reinterpret_cast<const char*>(d + pos), pat_len);
  std::string_view official = e == Encoding::o200k_base ? kO200kPattern : kCl100kPattern;
  if (pat != official) fail("split pattern differs from the one implemented here");
  pos += pat_len;
  im.offsets = d + pos;
  pos += 4 * (static_cast<std::size_t>(im.n_ranks) + 1);
  if (pos > blob.size()) fail("truncated");
  im.bytes = d + pos;
  std::size_t total = im.off(im.n_ranks);
  pos += total;
  if (pos > blob.size()) fail("truncated");
  for (std::uint32_t k = 0; k < n_special; ++k) {
    if (pos + 8 > blob.size()) fail("truncated");
    std::uint32_t r = rd32(d + pos), len = rd32(d + pos + 4);
    pos += 8;
    if (pos + len > blob.size()) fail("truncated");
    im.specials.emplace_back(r, std::string(reinterpret_cast<const char*>(d + pos), len));
    pos += len;
  }
  std::size_t cap = 1;
  while (cap < 2 * static_cast<std::size_t>(im.n_ranks)) cap <<= 1;
  im.table.assign(cap, 0);
  im.mask = cap - 1;
  for (std::uint32_t r = 0; r < im.n_ranks; ++r) {
    std::uint32_t a = im.off(r), b = im.off(r + 1);
    if (b < a || b > total) fail("bad offsets");
    if (a == b) continue;  // unused rank
    std::uint64_t h = hash_bytes(im.bytes + a, b - a) & im.mask;
    while (im.table[h] != 0) h = (h + 1) & im.mask;
    im.table[h] = r + 1;
  }
  for (int c = 0; c < 256; ++c) {
    auto ch = static_cast<unsigned char>(c);
    im.byte_rank[c] = im.lookup(&ch, 1);
    if (im.byte_rank[c] == kNone) fail("byte " + std::to_string(c) + " has no token");
  }
  std::string pattern = to_pcre2(official);
  int err = 0;
  PCRE2_SIZE erroff = 0;
  im.re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP, &err,
                        &erroff, nullptr);
  if (!im.re) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    fail("split pattern does not compile: " + std::string(reinterpret_cast<char*>(buf)));
  }
  if (pcre2_jit_compile(im.re, PCRE2_JIT_COMPLETE) != 0) fail("PCRE2 JIT is unavailable");
}

Tokenizer::~Tokenizer() {
  if (impl_ && impl_->re) pcre2_code_free(impl_->re);
}

const Tokenizer& Tokenizer::get(Encoding e) {
  static std::once_flag once[2];
  static std::unique_ptr<Tokenizer> tk[2];
  int i = e == Encoding::o200k_base ? 0 : 1;
  std::call_once(once[i], [&] { tk[i].reset(new Tokenizer(e)); });
  return *tk[i];
}

namespace {
struct MatchState {
  pcre2_match_data* md = nullptr;
  pcre2_jit_stack* stack = nullptr;
  pcre2_match_context* ctx = nullptr;
  MatchState() {
    md = pcre2_match_data_create(1, nullptr);
    stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, nullptr);
    ctx = pcre2_match_context_create(nullptr);
    pcre2_jit_stack_assign(ctx, nullptr, stack);
  }
  ~MatchState() {
    pcre2_match_context_free(ctx);
    pcre2_jit_stack_free(stack);
    pcre2_match_data_free(md);
  }
};
}  // namespace

void Tokenizer::encode(std::string_view utf8, std::vector<std::uint32_t>& out) const {
  std::string fixed;
  if (sanitize_utf8(utf8, fixed)) utf8 = fixed;
  thread_local MatchState ms;
  const auto* s = reinterpret_cast<PCRE2_SPTR>(utf8.data());
  PCRE2_SIZE pos = 0, n = utf8.size();
  while (pos < n) {
    int rc = pcre2_jit_match(impl_->re, s, n, pos, PCRE2_NO_UTF_CHECK, ms.md, ms.ctx);
    if (rc < 0) {
      if (rc == PCRE2_ERROR_NOMATCH) break;
      throw std::runtime_error("tokenizer: PCRE2 match error " + std::to_string(rc));
    }
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(ms.md);
    if (ov[1] <= ov[0]) {  // cannot happen with these patterns; guard against looping
      pos = ov[0] + 1;
      continue;
    }
    impl_->bpe(reinterpret_cast<const unsigned char*>(utf8.data()) + ov[0], ov[1] - ov[0], out);
    pos = ov[1];
  }
}

std::vector<std::uint32_t> Tokenizer::encode(std::string_view utf8) const {
  std::vector<std::uint32_t> out;
  encode(utf8, out);
  return out;
}

std::size_t Tokenizer::count(std::string_view utf8) const {
  thread_local std::vector<std::uint32_t> buf;
  buf.clear();
  encode(utf8, buf);
  return buf.size();
}

std::string Tokenizer::decode(std::span<const std::uint32_t> ids) const {
  std::string out;
  for (auto id : ids) {
    if (id < impl_->n_ranks) {
      std::uint32_t a = impl_->off(id), b = impl_->off(id + 1);
      out.append(reinterpret_cast<const char*>(impl_->bytes) + a, b - a);
    } else {
      for (auto& [r, s] : impl_->specials)
        if (r == id) out += s;
    }
  }
  return out;
}

std::size_t Tokenizer::vocab_size() const {
  std::size_t n = 0;
  for (std::uint32_t r = 0; r < impl_->n_ranks; ++r) n += impl_->off(r) != impl_->off(r + 1);
  return n + impl_->specials.size();
}

std::string_view encoding_name(Encoding e) { return e == Encoding::o200k_base ? "o200k_base" : "cl100k_base"; }

std::optional<Encoding> encoding_from_name(std::string_view name) {
  if (name == "o200k_base") return Encoding::o200k_base;
  if (name == "cl100k_base") return Encoding::cl100k_base;
  return std::nullopt;
}

Encoding encoding_for_model(std::string_view name) {
  std::string s(name);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto has = [&](std::string_view x) { return s.find(x) != std::string::npos; };
  // o200k first: "gpt-4o" / "gpt-4.1" also contain "gpt-4".
  for (std::string_view x : {"gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-41", "gpt-45", "gpt-5", "gpt-oss", "chatgpt-4o", "codex",
                             "o200k"})
    if (has(x)) return Encoding::o200k_base;
  if (s.starts_with("o1") || s.starts_with("o3") || s.starts_with("o4")) return Encoding::o200k_base;
  for (std::string_view x : {"gpt-4", "gpt4", "gpt-35", "gpt-3.5", "gpt35", "text-embedding", "cl100k"})
    if (has(x)) return Encoding::cl100k_base;
  return Encoding::o200k_base;
}

void verify_vocabularies() {
  for (auto e : {Encoding::o200k_base, Encoding::cl100k_base}) {
    const auto& t = Tokenizer::get(e);
    if (t.encode("hello world").size() != 2) throw VocabError("token vocabulary " + std::string(encoding_name(e)) + ": self-test failed");
  }
}

}  // namespace agp::tokens
