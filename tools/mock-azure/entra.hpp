// The mock's Entra ID side: a token authority (client credentials with a secret, a certificate's
// signed assertion or a workload's federated token), the two managed identity endpoints (App
// Service's IDENTITY_ENDPOINT and the VM's IMDS), the tokens they issued — which the mock Azure then
// accepts as bearer tokens — and a log of every token request, so tests count fetches.
#pragma once

#include "http/server.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mock {

struct EntraConfig {
  std::string tenant;                      // --entra-tenant: the directory the authority serves
  std::string client_id;                   // --entra-client-id: the one app registration
  std::string client_secret;               // --entra-client-secret
  std::string certificate_file;            // --entra-certificate: PEM certificate registered on the app
  std::string federated_token_file;        // --entra-federated-token-file: the workload's token, as presented
  std::string identity_header;             // --identity-header: App Service's IDENTITY_HEADER
  std::string managed_identity_client_id;  // --managed-identity-client-id: a user-assigned identity
  std::int64_t token_lifetime = 3600;      // --token-lifetime: seconds
  // --audience: the token audiences this resource accepts (the first one is named in its 401).
  std::vector<std::string> audiences{"https://cognitiveservices.azure.com"};
};

struct Issued {
  std::int64_t serial = 0;
  std::string principal, resource;
  std::chrono::system_clock::time_point expires;
};

// Why a bearer token is refused, or the token when it is accepted.
struct TokenCheck {
  std::optional<Issued> token;
  std::string refusal;  // "" when accepted
};

class Entra {
 public:
  explicit Entra(EntraConfig c) : cfg_(std::move(c)) {}
  const EntraConfig& config() const { return cfg_; }
  // Serves the authority's and identity endpoints' paths; false when `path` is none of them.
  bool serves(std::string_view path) const;
  // (status, body) for one token request.
  std::pair<unsigned, std::string> answer(const agp::http::Request& req, std::string_view path);
  TokenCheck check(std::string_view bearer);
  void revoke_all();
  void clear_log();
  std::string log_json();  // {"requests":[{kind, status, client_id, scope, error}], "issued": n}

 private:
  std::pair<unsigned, std::string> authority(const agp::http::Request& req, std::string_view tenant);
  std::pair<unsigned, std::string> managed_identity(const agp::http::Request& req, bool app_service);
  std::string issue(const std::string& principal, const std::string& resource);
  void record(boost::json::object entry);

  EntraConfig cfg_;
  std::mutex mu_;
  std::map<std::string, Issued> issued_;
  std::int64_t next_serial_ = 1;
  std::vector<boost::json::object> log_;
};

}  // namespace mock
