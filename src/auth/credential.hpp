// Entra ID credentials in the order of Azure's DefaultAzureCredential (client secret, client
// certificate, workload identity, managed identity), the token requests each one sends and the
// answers they get back. Pure: no sockets, no clocks of its own; knows no client protocol.
#pragma once

#include "core/error.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace agp::auth {

using Clock = std::chrono::system_clock;
using Env = std::map<std::string, std::string>;

inline constexpr std::string_view kCognitiveServicesScope = "https://cognitiveservices.azure.com/.default";
inline constexpr std::string_view kPublicAuthority = "https://login.microsoftonline.com";
inline constexpr std::string_view kImdsHost = "http://169.254.169.254";

// What the environment says, under the Azure SDKs' own variable names.
struct Settings {
  std::string tenant_id;             // AZURE_TENANT_ID
  std::string client_id;             // AZURE_CLIENT_ID (also: a user-assigned managed identity)
  std::string client_secret;         // AZURE_CLIENT_SECRET
  std::string certificate_path;      // AZURE_CLIENT_CERTIFICATE_PATH (PEM with key, or PFX)
  std::string certificate_password;  // AZURE_CLIENT_CERTIFICATE_PASSWORD
  std::string federated_token_file;  // AZURE_FEDERATED_TOKEN_FILE (AKS workload identity)
  std::string authority_host{kPublicAuthority};  // AZURE_AUTHORITY_HOST (sovereign clouds)
  std::string identity_endpoint;     // IDENTITY_ENDPOINT (App Service, Container Apps)
  std::string identity_header;       // IDENTITY_HEADER
  std::string imds_host{kImdsHost};  // AZURE_POD_IDENTITY_AUTHORITY_HOST (as MSAL and azure-identity read it)
};

Settings settings_from_env(const Env& env);
// A sentence naming the variable that is wrong, or "" when the settings can be used.
std::string validate(const Settings& s);

enum class Source { client_secret, client_certificate, workload_identity, app_service_identity, imds_identity };
std::string_view source_name(Source s);  // "client secret", "managed identity (IMDS)", …

// One chosen credential with everything its token request needs.
struct Credential {
  Source source = Source::imds_identity;
  std::string tenant_id, client_id;  // client_id "" = a system-assigned managed identity
  std::string client_secret, certificate_path, certificate_password, federated_token_file;
  std::string authority_host, identity_endpoint, identity_header, imds_host;
  std::string scope{kCognitiveServicesScope};

  // Identifies the token: equal keys share one cached token (never contains a secret).
  std::string key() const;
  // For messages and logs: the source, the ids and the variables it came from; never a secret.
  std::string describe() const;
  // What to check when this credential fails.
  std::string hint() const;
  bool managed_identity() const { return source == Source::app_service_identity || source == Source::imds_identity; }
};

// DefaultAzureCredential's order: the first source whose variables are all set. `tenant_id` and
// `client_id` (from an endpoint of the config file) replace AZURE_TENANT_ID / AZURE_CLIENT_ID.
Credential choose(const Settings& s, std::string scope, const std::string& tenant_id = {},
                  const std::string& client_id = {});

// Managed identity takes a resource, not a scope: the scope without "/.default".
std::string resource_of(std::string_view scope);

// {authority}/{tenant}/oauth2/v2.0/token; also the audience of a client assertion.
std::string token_url(const Credential& c);

// An HTTP request to the token authority or the identity endpoint, neutral of any client library.
struct TokenRequest {
  bool post = true;
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // application/x-www-form-urlencoded
};
// `assertion` is the client assertion (a signed JWT, or the federated token) for those sources.
TokenRequest token_request(const Credential& c, const std::string& assertion = {});
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

struct Token {
  std::string value;
  Clock::time_point expires_on;
  Clock::time_point refresh_at;    // from here on it is renewed in the background
  Clock::time_point usable_until;  // after this it is not sent any more
};

// When to renew a token that lives from `issued` to `expires`: half-way for tokens of two hours
// or more (managed identity's 24 h), else 5 minutes before expiry (or half-way when shorter).
Token schedule(std::string value, Clock::time_point issued, Clock::time_point expires);

// The authority's or identity endpoint's answer: a token, or an error naming Entra's code.
Result<Token> parse_token_response(unsigned status, std::string_view body, Clock::time_point now);

// "AADSTS7000215" from an Entra error description, or "".
std::string aadsts_code(std::string_view text);

}  // namespace agp::auth
