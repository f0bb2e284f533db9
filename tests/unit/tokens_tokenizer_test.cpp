// The exact tokenizer: known ids from tiktoken 1.0.22 (the e2e test tokens.test.mjs checks
// thousands more against the npm package itself), merge-path equivalence, encodings.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>
#include <string>
#include <vector>

#include "tokens/tokenizer.hpp"

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_tokens_tokenizer_test {

using namespace agp::tokens;
using Ids = std::vector<std::uint32_t>;

TEST(TokensTokenizer, KnownIdsO200k) {
  const auto& t = Tokenizer::get(Encoding::o200k_base);
  EXPECT_EQ(t.encode("hello world"), (Ids{24912, 2375}));
  EXPECT_EQ(t.encode("Hello, 世界! I'm fine   \n\n\t x 12345678 🤷‍♂️ ＡＢＣ"),
            (Ids{13225, 11,   185558, 0,   5477, 8975,   29104, 197,   1215, 220,    7633,
                 19354, 4388, 93643,  115, 2524, 178729, 15148, 60558, 94,   181511, 151735}));
  EXPECT_EQ(t.encode("+l"), (Ids{187706}));
}

TEST(TokensTokenizer, KnownIdsCl100k) {
  const auto& t = Tokenizer::get(Encoding::cl100k_base);
  EXPECT_EQ(t.encode("hello world"), (Ids{15339, 1917}));
  EXPECT_EQ(t.encode("Hello, 世界! I'm fine   \n\n\t x 12345678 🤷‍♂️ ＡＢＣ"),
            (Ids{9906, 11,    220, 3574, 244, 98220, 0,     358, 2846,  7060,  35033, 197,  865, 220,  4513, 10961,
                 2495, 11410, 97,  115,  378, 235,   17245, 224, 31643, 63923, 94,    1569, 95,  1569, 96}));
  EXPECT_EQ(t.encode("+l"), (Ids{77011}));
}

TEST(TokensTokenizer, EmptyAndSpecialTokensAsText) {
  for (auto e : {Encoding::o200k_base, Encoding::cl100k_base}) {
    const auto& t = Tokenizer::get(e);
    EXPECT_EQ(t.count(""), 0u);
    auto ids = t.encode("<|endoftext|>");
    EXPECT_GT(ids.size(), 1u);  // ordinary text, not the special token
    EXPECT_EQ(t.decode(ids), "<|endoftext|>");
  }
}

TEST(TokensTokenizer, RoundTripsRandomUtf8) {
  std::mt19937 rng(7);
  for (auto e : {Encoding::o200k_base, Encoding::cl100k_base}) {
    const auto& t = Tokenizer::get(e);
    for (int k = 0; k < 300; ++k) {
      std::string s;
      int len = 1 + static_cast<int>(rng() % 300);
      for (int i = 0; i < len; ++i) {
        std::uint32_t cp = rng() % 8 == 0 ? 0x80 + rng() % 0x10FF80 : 0x20 + rng() % 0x5F;
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
        if (cp < 0x80)
          s += static_cast<char>(cp);
        else if (cp < 0x800)
          s += {static_cast<char>(0xC0 | cp >> 6), static_cast<char>(0x80 | (cp & 63))};
        else if (cp < 0x10000)
          s += {static_cast<char>(0xE0 | cp >> 12), static_cast<char>(0x80 | ((cp >> 6) & 63)),
                static_cast<char>(0x80 | (cp & 63))};
        else
          s += {static_cast<char>(0xF0 | cp >> 18), static_cast<char>(0x80 | ((cp >> 12) & 63)),
                static_cast<char>(0x80 | ((cp >> 6) & 63)), static_cast<char>(0x80 | (cp & 63))};
      }
      EXPECT_EQ(t.decode(t.encode(s)), s);
    }
  }
}

// Pieces of 128 bytes and more take the heap merge path (tiktoken's quadratic loop
// below that); counts and ids from tiktoken 1.0.22.
TEST(TokensTokenizer, LongPiecesUseTheSameMergeOrder) {
  const auto& t = Tokenizer::get(Encoding::o200k_base);
  std::string zh, b64, zh2;
  for (int i = 0; i < 100; ++i) zh += "中";
  for (int i = 0; i < 10; ++i) b64 += "SGVsbG8gV29ybGQhIFRoaXMgaXMgYSBsb25nIGJhc2U2NCBzdHJpbmc";
  for (int i = 0; i < 8; ++i) zh2 += "的一是不了人我在有他这为之大来以个中上们";
  EXPECT_EQ(t.count(zh), 100u);
  EXPECT_EQ(t.count(b64), 360u);
  Ids period{64579, 3221,  33058, 1995, 7522, 2178, 3666, 11327, 8327,
             6209,  10708, 1640,  6727, 5924, 5920, 1404, 4286,  13932};
  Ids want;
  for (int i = 0; i < 8; ++i) want.insert(want.end(), period.begin(), period.end());
  EXPECT_EQ(t.encode(zh2), want);
  EXPECT_EQ(t.decode(t.encode(b64)), b64);
}

TEST(TokensTokenizer, InvalidUtf8BecomesReplacementCharacter) {
  const auto& t = Tokenizer::get(Encoding::o200k_base);
  EXPECT_EQ(t.encode("a\xFF"
                     "b"),
            t.encode("a\xEF\xBF\xBD"
                     "b"));
  EXPECT_EQ(t.encode("\xE4\xB8"), t.encode("\xEF\xBF\xBD"));  // truncated sequence: one U+FFFD
}

TEST(TokensTokenizer, WhiteSpaceIsUnicodeWhiteSpaceNotPcreSpace) {
  // U+180E is not White_Space for tiktoken (PCRE2's \s would take it).
  const auto& t = Tokenizer::get(Encoding::o200k_base);
  EXPECT_EQ(t.encode("abc\u180E"), (Ids{26682, 157, 254, 236}));
  EXPECT_EQ(t.encode("x \u180E y"), (Ids{87, 220, 157, 254, 236, 342}));
}

TEST(TokensTokenizer, EncodingForModel) {
  EXPECT_EQ(encoding_for_model("gpt-4o"), Encoding::o200k_base);
  EXPECT_EQ(encoding_for_model("gpt-4o-mini-2024-07-18"), Encoding::o200k_base);
  EXPECT_EQ(encoding_for_model("gpt-4.1-nano"), Encoding::o200k_base);
  EXPECT_EQ(encoding_for_model("gpt-5-chat"), Encoding::o200k_base);
  EXPECT_EQ(encoding_for_model("o3-mini"), Encoding::o200k_base);
  EXPECT_EQ(encoding_for_model("o4-mini"), Encoding::o200k_base);
  EXPECT_EQ(encoding_for_model("gpt-4"), Encoding::cl100k_base);
  EXPECT_EQ(encoding_for_model("gpt-4-32k"), Encoding::cl100k_base);
  EXPECT_EQ(encoding_for_model("GPT-35-Turbo"), Encoding::cl100k_base);
  EXPECT_EQ(encoding_for_model("my-custom-deployment"), Encoding::o200k_base);
  EXPECT_EQ(encoding_from_name("cl100k_base"), Encoding::cl100k_base);
  EXPECT_EQ(encoding_from_name("p50k_base"), std::nullopt);
}

TEST(TokensTokenizer, VocabulariesLoad) {
  EXPECT_NO_THROW(verify_vocabularies());
  EXPECT_EQ(Tokenizer::get(Encoding::o200k_base).vocab_size(), 199998u + 2u);
  EXPECT_EQ(Tokenizer::get(Encoding::cl100k_base).vocab_size(), 100256u + 5u);
}

TEST(TokensTokenizer, BlobHeadersCheckWithoutBuilding) { EXPECT_NO_THROW(check_vocabulary_blobs()); }

// ready() never blocks: false starts a background build, which ends with ready() true and get()
// answering that same tokenizer.
TEST(TokensTokenizer, ReadyBuildsInTheBackground) {
  for (auto e : {Encoding::o200k_base, Encoding::cl100k_base}) {
    bool ready = Tokenizer::ready(e);
    for (int i = 0; i < 3000 && !ready; ++i) {  // up to 30 s on a loaded machine; normally ~20 ms
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      ready = Tokenizer::ready(e);
    }
    ASSERT_TRUE(ready) << encoding_name(e);
    EXPECT_EQ(Tokenizer::get(e).encode("hello world").size(), 2u);
  }
}

// Long texts' counts are kept (a coding agent sends the same tools and history every time): a kept
// count is the text's own, for texts that differ in one byte, on many threads at once, and after
// the kept bytes overflowed and were started over.
namespace {
std::string varied_text(std::size_t bytes, unsigned seed) {
  static const char* kWords[] = {"read", "the", "file", " ", "\n", "函数", "x = 42;", "🤷", "don't", "  ", "{\"a\":1}", "Ünïcode"};
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < bytes) out += kWords[rng() % (sizeof kWords / sizeof *kWords)];
  return out;
}
}  // namespace

TEST(TokensTokenizer, KeptCountsAreEachTextsOwn) {
  for (auto e : {Encoding::o200k_base, Encoding::cl100k_base}) {
    const auto& t = Tokenizer::get(e);
    const std::string a = varied_text(6000, 1);
    std::string b = a;
    b[b.size() - 1] = b[b.size() - 1] == 'e' ? 'f' : 'e';  // same length, one byte apart
    b += " extra words at the end";
    const auto na = t.encode(a).size(), nb = t.encode(b).size();
    ASSERT_NE(na, nb);
    for (int round = 0; round < 3; ++round) {
      EXPECT_EQ(t.count(a), na);
      EXPECT_EQ(t.count(b), nb);
    }
    std::vector<std::string> texts;
    std::vector<std::size_t> want;
    for (unsigned i = 0; i < 12; ++i) {
      texts.push_back(varied_text(i < 4 ? 40 + 20 * i : 700 + 300 * i, 100 + i));  // short ones too
      want.push_back(t.encode(texts.back()).size());
    }
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (int th = 0; th < 4; ++th)
      threads.emplace_back([&, th] {
        for (int i = 0; i < 200; ++i) {
          std::size_t k = static_cast<std::size_t>(i * 7 + th) % texts.size();
          if (t.count(texts[k]) != want[k]) ++wrong[th];
        }
      });
    for (auto& th : threads) th.join();
    for (int w : wrong) EXPECT_EQ(w, 0);
  }
}

TEST(TokensTokenizer, KeptCountsStartOverWhenFull) {
  const auto& t = Tokenizer::get(Encoding::o200k_base);
  // More distinct long texts than the kept bytes (8 MB) hold; each counted twice, and the first
  // ones again after the start-over.
  std::vector<std::string> texts;
  std::vector<std::size_t> want;
  for (unsigned i = 0; i < 15; ++i) {
    texts.push_back(varied_text(640 * 1024, 1000 + i));
    want.push_back(t.encode(texts.back()).size());
  }
  for (int round = 0; round < 2; ++round)
    for (std::size_t k = 0; k < texts.size(); ++k) EXPECT_EQ(t.count(texts[k]), want[k]) << k << " round " << round;
}

}  // namespace unit_tokens_tokenizer_test
