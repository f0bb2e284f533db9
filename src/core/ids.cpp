#include "core/ids.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace agp {

std::string random_id(std::string_view prefix, std::size_t n) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out(prefix);
  std::array<unsigned char, 64> bytes{};
  while (n > 0) {
    std::size_t take = n < bytes.size() ? n : bytes.size();
    if (RAND_bytes(bytes.data(), static_cast<int>(take)) != 1) throw std::runtime_error("RAND_bytes failed");
    for (std::size_t i = 0; i < take; ++i) out.push_back(kAlphabet[bytes[i] % 62]);
    n -= take;
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Compare digests so that the length of the secret does not leak through timing either.
  auto da = sha256_hex(a), db = sha256_hex(b);
  return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

std::string request_id_for(std::string_view offered) {
  bool ok = !offered.empty() && offered.size() <= 128;
  for (char c : offered) ok = ok && c > 0x20 && c < 0x7f;
  return ok ? std::string(offered) : random_id("req_");
}

}  // namespace agp
