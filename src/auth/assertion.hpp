// The signed client assertion of a certificate credential: an RS256 JWT (RFC 7523) whose header
// names the certificate by thumbprint (x5t, x5t#S256), as Entra ID expects. OpenSSL 3.
#pragma once

#include "auth/credential.hpp"
#include "core/error.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace agp::auth {

std::string base64url(std::string_view bytes);

// The certificate and key of a PEM file (certificate and private key, any order, the key
// optionally encrypted) or a PFX/PKCS#12 file: the SHA-1 and SHA-256 thumbprints of the
// certificate (raw bytes) and the JWT signed with the key.
struct SigningCertificate {
  std::string sha1, sha256;  // of the DER certificate
  std::string sign(std::string_view header_b64, std::string_view payload_b64) const;  // "h.p.sig"
  struct Impl;
  std::shared_ptr<Impl> impl;
};
Result<SigningCertificate> load_certificate(const std::string& path, const std::string& password);

// aud = the token endpoint, iss = sub = the client id, a fresh jti, valid from `now` for 10 minutes.
Result<std::string> client_assertion(const Credential& c, Clock::time_point now);

}  // namespace agp::auth
