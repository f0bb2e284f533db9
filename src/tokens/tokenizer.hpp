// Exact BPE token counting, byte for byte the same as OpenAI's tiktoken (npm tiktoken
// 1.0.22) for o200k_base and cl100k_base: a PCRE2 (JIT) pre-tokenizer with the official
// split pattern, then byte-pair merges by rank. The vocabularies are baked into the binary
// at build time (see src/tokens/CMakeLists.txt); nothing is read or fetched at run time.
//
// Text is encoded as "ordinary" text: special-token strings such as <|endoftext|> are
// tokenized like any other text (tiktoken's encode(text, [], []) / encode_ordinary).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace agp::tokens {

enum class Encoding { o200k_base, cl100k_base };

std::string_view encoding_name(Encoding e);
std::optional<Encoding> encoding_from_name(std::string_view name);  // "o200k_base", "cl100k_base"

// The encoding for an Azure deployment or model name: gpt-4o / gpt-4.1 / gpt-4.5 / gpt-5 /
// o1 / o3 / o4 / gpt-oss / codex → o200k_base; gpt-4 (not 4o/4.1/4.5) and gpt-35-turbo /
// gpt-3.5 → cl100k_base. Anything unrecognised (e.g. a custom deployment name) → o200k_base.
Encoding encoding_for_model(std::string_view model_or_deployment);

// Thrown when a vocabulary blob is missing or corrupt, or the pattern does not compile.
struct VocabError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Tokenizer {
 public:
  // The process-wide tokenizer for an encoding; built on first use (~20 ms), thread-safe.
  static const Tokenizer& get(Encoding e);
  // Whether get(e) would answer at once; when not, starts building it on a background thread
  // (once), so a request that can do without an exact count does not wait ~20 ms for it.
  static bool ready(Encoding e);

  // Appends the token ids of `utf8` to `out`. Invalid UTF-8 is first replaced with U+FFFD
  // per maximal subpart (as a JavaScript string would carry it).
  void encode(std::string_view utf8, std::vector<std::uint32_t>& out) const;
  std::vector<std::uint32_t> encode(std::string_view utf8) const;
  std::size_t count(std::string_view utf8) const;

  std::string decode(std::span<const std::uint32_t> ids) const;  // unknown ids are skipped
  std::size_t vocab_size() const;                                // ordinary ranks + special tokens
  Encoding encoding() const { return enc_; }

  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  struct Impl;

 private:
  explicit Tokenizer(Encoding e);
  Encoding enc_;
  std::unique_ptr<Impl> impl_;
};

// Loads and checks both vocabularies now (a broken build fails with a clear message).
// Throws VocabError.
void verify_vocabularies();
// Checks both embedded blobs' headers without building the tokenizers (start-up: the vocabulary
// pages and tables, ~7 MB, are only touched by the first count). Throws VocabError.
void check_vocabulary_blobs();

}  // namespace agp::tokens
