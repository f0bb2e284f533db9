#include "core/ids.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace agp {

namespace {
// RAND_bytes per id was 4% of the proxy's CPU at 2 KB requests (OpenSSL 3 takes a lock and calls
// getpid() on every call, to notice a fork): each thread draws from the same generator in blocks.
// The proxy never forks without exec, so a block is never shared with a child.
class RandomBytes {
 public:
  unsigned char next() {
    if (used_ == block_.size()) {
      if (RAND_bytes(block_.data(), static_cast<int>(block_.size())) != 1) throw std::runtime_error("RAND_bytes failed");
      used_ = 0;
    }
    return block_[used_++];
  }

 private:
  std::array<unsigned char, 512> block_{};
  std::size_t used_ = block_.size();
};
thread_local RandomBytes t_random;

// OpenSSL 3's one-shot SHA256() looks the algorithm up (EVP_MD_fetch, under a lock) and allocates a
// context on every call: with two token comparisons per request that was 4% of the proxy's CPU at
// 2 KB requests. The algorithm is fetched once, and each thread keeps its context.
const EVP_MD* sha256_md() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (!m) throw std::runtime_error("OpenSSL has no SHA256");
    return m;
  }();
  return md;
}

void digest(std::string_view data, unsigned char (&md)[SHA256_DIGEST_LENGTH]) {
  struct Free {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, Free> ctx(EVP_MD_CTX_new());
  unsigned int n = 0;
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 || EVP_DigestFinal_ex(ctx.get(), md, &n) != 1 ||
      n != SHA256_DIGEST_LENGTH)
    throw std::runtime_error("SHA256 failed");
}
}  // namespace

std::string random_id(std::string_view prefix, std::size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(prefix.size() + n);
  out.append(prefix);
  while (n > 0) {
    unsigned char b = t_random.next();
    if (b >= 248) continue;  // 248 = 4 × 62: every character equally likely
    out.push_back(kAlphabet[b % 62]);
    --n;
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  digest(data, md);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char c : md) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Compare digests so that the length of the secret does not leak through timing either.
  unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
  digest(a, da);
  digest(b, db);
  return CRYPTO_memcmp(da, db, sizeof da) == 0;
}

std::string request_id_for(std::string_view offered) {
  bool ok = !offered.empty() && offered.size() <= 128;
  for (char c : offered) ok = ok && c > 0x20 && c < 0x7f;
  return ok ? std::string(offered) : random_id("req_");
}

}  // namespace agp
