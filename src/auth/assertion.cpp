#include "auth/assertion.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace agp::auth {

namespace {

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(PKCS12* p) const { PKCS12_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Owned<BIO> memory_bio(const std::string& bytes) {
  return Owned<BIO>(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

std::string digest(X509* cert, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  X509_digest(cert, md, out, &n);
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string random_uuid() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                     b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                     b[15]);
}

// PEM: every certificate, and the private key (decrypted with `password` when it is encrypted).
bool read_pem(const std::string& bytes, const std::string& password, std::vector<Owned<X509>>& certs,
              Owned<EVP_PKEY>& key) {
  auto bio = memory_bio(bytes);
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(c);
  ERR_clear_error();
  auto kbio = memory_bio(bytes);
  key.reset(PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, const_cast<char*>(password.c_str())));
  return key != nullptr;
}

bool read_pfx(const std::string& bytes, const std::string& password, std::vector<Owned<X509>>& certs,
              Owned<EVP_PKEY>& key) {
  auto bio = memory_bio(bytes);
  Owned<PKCS12> p12(d2i_PKCS12_bio(bio.get(), nullptr));
  if (!p12) return false;
  EVP_PKEY* k = nullptr;
  X509* c = nullptr;
  if (!PKCS12_parse(p12.get(), password.c_str(), &k, &c, nullptr)) return false;
  key.reset(k);
  if (c) certs.emplace_back(c);
  return key != nullptr;
}

}  // namespace

struct SigningCertificate::Impl {
  Owned<EVP_PKEY> key;
};

std::string base64url(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& ch : out) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  return out;
}

std::string SigningCertificate::sign(std::string_view header_b64, std::string_view payload_b64) const {
  std::string input = std::string(header_b64) + "." + std::string(payload_b64);
  Owned<EVP_MD_CTX> ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl->key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    return "";
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1)
    return "";
  sig.resize(len);
  return input + "." + base64url(sig);
}

Result<SigningCertificate> load_certificate(const std::string& path, const std::string& password) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{500, ErrorKind::upstream_auth, "the certificate file " + path + " cannot be read", {}};
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  std::vector<Owned<X509>> certs;
  Owned<EVP_PKEY> key;
  bool pem = bytes.find("-----BEGIN") != std::string::npos;
  bool ok = pem ? read_pem(bytes, password, certs, key) : read_pfx(bytes, password, certs, key);
  if (!ok)
    return Error{500, ErrorKind::upstream_auth,
                 fmt::format("{} holds no usable private key ({}; AZURE_CLIENT_CERTIFICATE_PASSWORD if it is "
                             "encrypted): {}",
                             path, pem ? "PEM" : "PFX", openssl_error()),
                 {}};
  if (!EVP_PKEY_is_a(key.get(), "RSA"))
    return Error{500, ErrorKind::upstream_auth, path + ": Entra ID certificate credentials need an RSA key", {}};
  X509* cert = nullptr;
  for (auto& c : certs)
    if (X509_check_private_key(c.get(), key.get()) == 1) cert = c.get();
  ERR_clear_error();
  if (!cert)
    return Error{500, ErrorKind::upstream_auth, path + " holds no certificate that matches its private key", {}};
  SigningCertificate out;
  out.sha1 = digest(cert, EVP_sha1());
  out.sha256 = digest(cert, EVP_sha256());
  out.impl = std::make_shared<SigningCertificate::Impl>();
  out.impl->key = std::move(key);
  return out;
}

Result<std::string> client_assertion(const Credential& c, Clock::time_point now) {
  auto cert = load_certificate(c.certificate_path, c.certificate_password);
  if (!cert) return cert.error();
  auto t = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  boost::json::object header{
      {"alg", "RS256"}, {"typ", "JWT"}, {"x5t", base64url(cert->sha1)}, {"x5t#S256", base64url(cert->sha256)}};
  boost::json::object payload{{"aud", token_url(c)}, {"iss", c.client_id}, {"sub", c.client_id},
                              {"jti", random_uuid()}, {"nbf", t},          {"iat", t},
                              {"exp", t + 600}};
  auto jwt = cert->sign(base64url(boost::json::serialize(header)), base64url(boost::json::serialize(payload)));
  if (jwt.empty()) return Error{500, ErrorKind::upstream_auth, "signing the client assertion failed: " + openssl_error(), {}};
  return jwt;
}

}  // namespace agp::auth
