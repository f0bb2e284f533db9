// The certificate credential's client assertion: a key pair and certificate are made here with
// OpenSSL, written as PEM (plain and encrypted) and PFX, and the JWT the proxy signs is checked
// the way Entra ID checks it: RS256 signature against the certificate's public key, thumbprints
// in the header, aud/iss/sub/jti/nbf/exp in the claims.
#include "auth/assertion.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <memory>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_auth_assertion_test {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace agp::auth;

struct Pair {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  ~Pair() {
    EVP_PKEY_free(key);
    X509_free(cert);
  }
};

void make_pair(Pair& p, bool rsa) {
  p.key = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  ASSERT_TRUE(p.key);
  p.cert = X509_new();
  ASSERT_TRUE(p.cert);
  ASN1_INTEGER_set(X509_get_serialNumber(p.cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(p.cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(p.cert), 3600);
  X509_set_pubkey(p.cert, p.key);
  auto* name = X509_get_subject_name(p.cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("agp-test"), -1, -1, 0);
  X509_set_issuer_name(p.cert, name);
  ASSERT_GT(X509_sign(p.cert, p.key, EVP_sha256()), 0);
}

std::string pem_file(const Pair& p, const char* name, const char* password) {
  auto path = (fs::temp_directory_path() / name).string();
  FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_X509(f, p.cert);
  if (password)
    PEM_write_PKCS8PrivateKey(f, p.key, EVP_aes_256_cbc(), nullptr, 0, nullptr, const_cast<char*>(password));
  else
    PEM_write_PrivateKey(f, p.key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  return path;
}

std::string pfx_file(const Pair& p, const char* password) {
  auto path = (fs::temp_directory_path() / "agp_assertion_test.pfx").string();
  PKCS12* p12 = PKCS12_create(password, "agp", p.key, p.cert, nullptr, 0, 0, 0, 0, 0);
  FILE* f = std::fopen(path.c_str(), "wb");
  i2d_PKCS12_fp(f, p12);
  std::fclose(f);
  PKCS12_free(p12);
  return path;
}

std::string b64url_decode(std::string s) {
  for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  std::size_t pad = (4 - s.size() % 4) % 4;
  s.append(pad, '=');
  std::string out(s.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string thumbprint(X509* cert, const EVP_MD* md) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  X509_digest(cert, md, out, &n);
  return base64url(std::string(reinterpret_cast<char*>(out), n));
}

Credential cert_credential(const std::string& path, const std::string& password = {}) {
  Credential c;
  c.source = Source::client_certificate;
  c.tenant_id = "tenant-1";
  c.client_id = "client-1";
  c.certificate_path = path;
  c.certificate_password = password;
  c.authority_host = "https://login.microsoftonline.com";
  return c;
}

// What Entra checks of the assertion.
void expect_valid(const std::string& jwt, const Pair& p, long now) {
  auto d1 = jwt.find('.'), d2 = jwt.rfind('.');
  ASSERT_NE(d1, d2);
  auto header = json::parse(b64url_decode(jwt.substr(0, d1))).as_object();
  auto claims = json::parse(b64url_decode(jwt.substr(d1 + 1, d2 - d1 - 1))).as_object();
  EXPECT_EQ(header.at("alg"), "RS256");
  EXPECT_EQ(header.at("typ"), "JWT");
  EXPECT_EQ(header.at("x5t#S256").as_string(), thumbprint(p.cert, EVP_sha256()));
  EXPECT_EQ(header.at("x5t").as_string(), thumbprint(p.cert, EVP_sha1()));
  EXPECT_EQ(claims.at("aud"), "https://login.microsoftonline.com/tenant-1/oauth2/v2.0/token");
  EXPECT_EQ(claims.at("iss"), "client-1");
  EXPECT_EQ(claims.at("sub"), "client-1");
  EXPECT_EQ(claims.at("jti").as_string().size(), 36u);
  EXPECT_EQ(claims.at("nbf").as_int64(), now);
  EXPECT_EQ(claims.at("exp").as_int64(), now + 600);
  std::string sig = b64url_decode(jwt.substr(d2 + 1));
  std::string input = jwt.substr(0, d2);
  EVP_PKEY* pub = X509_get_pubkey(p.cert);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EXPECT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pub), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pub);
}

const auto kNow = Clock::time_point(std::chrono::seconds(1'800'000'000));

TEST(ClientAssertion, SignedWithThePemsKeyAndNamesItsCertificate) {
  Pair p;
  make_pair(p, true);
  auto jwt = client_assertion(cert_credential(pem_file(p, "agp_assertion_test.pem", nullptr)), kNow);
  ASSERT_TRUE(jwt) << jwt.error().message;
  expect_valid(*jwt, p, 1'800'000'000);
  auto again = client_assertion(cert_credential(pem_file(p, "agp_assertion_test.pem", nullptr)), kNow);
  EXPECT_NE(*again, *jwt);  // a fresh jti every time
}

TEST(ClientAssertion, EncryptedPemAndPfxWithTheirPassword) {
  Pair p;
  make_pair(p, true);
  auto enc = pem_file(p, "agp_assertion_test_enc.pem", "pw-1");
  auto jwt = client_assertion(cert_credential(enc, "pw-1"), kNow);
  ASSERT_TRUE(jwt) << jwt.error().message;
  expect_valid(*jwt, p, 1'800'000'000);
  EXPECT_FALSE(client_assertion(cert_credential(enc, "wrong"), kNow));
  auto pfx = pfx_file(p, "pw-2");
  auto jwt2 = client_assertion(cert_credential(pfx, "pw-2"), kNow);
  ASSERT_TRUE(jwt2) << jwt2.error().message;
  expect_valid(*jwt2, p, 1'800'000'000);
}

TEST(ClientAssertion, ClearErrors) {
  auto missing = client_assertion(cert_credential("/nonexistent/agp.pem"), kNow);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("cannot be read"), std::string::npos);
  Pair ec;
  make_pair(ec, false);
  auto not_rsa = client_assertion(cert_credential(pem_file(ec, "agp_assertion_test_ec.pem", nullptr)), kNow);
  ASSERT_FALSE(not_rsa);
  EXPECT_NE(not_rsa.error().message.find("RSA"), std::string::npos) << not_rsa.error().message;
  Pair a, b;
  make_pair(a, true);
  make_pair(b, true);
  auto path = (fs::temp_directory_path() / "agp_assertion_test_mismatch.pem").string();
  FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_X509(f, a.cert);
  PEM_write_PrivateKey(f, b.key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  auto mismatch = client_assertion(cert_credential(path), kNow);
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message.find("matches its private key"), std::string::npos);
}

TEST(Base64Url, NoPaddingUrlAlphabet) {
  EXPECT_EQ(base64url(""), "");
  EXPECT_EQ(base64url("f"), "Zg");
  EXPECT_EQ(base64url("fo"), "Zm8");
  EXPECT_EQ(base64url("foo"), "Zm9v");
  EXPECT_EQ(base64url("\xfb\xff"), "-_8");
}

}  // namespace

}  // namespace unit_auth_assertion_test
