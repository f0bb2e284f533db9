// The team's Azure estate: endpoints (resources), deployments on them, and routes from client
// model names to deployments tried in order. From the YAML file given with --config (CONFIG_FILE),
// or built from the seed's environment variables when there is no file — one routing path for both.
#pragma once

#include "auth/credential.hpp"
#include "core/capabilities.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace agp::config {

using Env = std::map<std::string, std::string>;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// How the proxy proves itself to an endpoint: its key in `auth_header`, an Entra ID bearer token,
// or nothing (a gateway in front that authenticates the proxy otherwise).
enum class Auth { key, entra, none };

struct Endpoint {
  std::string name;
  std::string url;  // scheme://host[:port][/base], no trailing slash
  Auth auth = Auth::key;
  std::string api_key;
  std::string auth_header = "api-key";  // APIM: Ocp-Apim-Subscription-Key
  // Entra ID: the token's scope, AZURE_TENANT_ID / AZURE_CLIENT_ID overrides, and the credential
  // chosen from the environment in DefaultAzureCredential's order.
  std::string scope{auth::kCognitiveServicesScope};
  std::string tenant_id, client_id;
  auth::Credential credential;
  bool from_env = false;  // the environment-only set-up's endpoint
  std::string api_version = "2024-10-21";
  bool api_version_set = false;  // given (else the Responses API uses v1)
  std::string responses_version;  // "" = follow api_version (v1 when not given)
  HeaderList headers;

  std::string responses_api_version() const;
  bool responses_api_available() const;
  // {url}/openai/deployments/{d}/chat/completions?api-version=V, or the v1 path.
  std::string chat_url(const std::string& deployment) const;
  // {url}/openai/v1/responses or {url}/openai/responses?api-version=V; "" when the version has none.
  std::string responses_url() const;
  // "api-key header", "Entra ID: client secret of app …": for the routing table and the start-up log.
  std::string describe_auth() const;
  // What to check when Azure refuses the proxy's credentials (401/403), naming this endpoint.
  std::string auth_hint() const;
};

// What a deployment's tokens cost, USD per million (the usage accounting's cost column).
struct Price {
  double input = 0, cached_input = 0, output = 0;
  bool set = false;
  // Azure's prompt tokens include the cached ones; reasoning tokens are part of the output.
  double cost(std::int64_t input_tokens, std::int64_t cached_tokens, std::int64_t output_tokens) const {
    if (!set) return 0;
    auto in = std::max<std::int64_t>(0, input_tokens), cached = std::clamp<std::int64_t>(cached_tokens, 0, in);
    return ((in - cached) * input + cached * cached_input + std::max<std::int64_t>(0, output_tokens) * output) / 1e6;
  }
};

struct Deployment {
  std::string name;        // the id routes use
  std::size_t endpoint = 0;  // index into Team::endpoints
  std::string deployment;  // the Azure deployment name
  std::string api;         // chat | responses | "" (chosen by model family)
  int priority = 0;        // lower first
  int weight = 1;          // among equal priorities
  std::int64_t max_output_tokens = 0;
  std::int64_t context_window = 0;
  std::string encoding;  // o200k_base | cl100k_base; "" = from the deployment's name
  Capability capabilities;
  HeaderList headers;
  std::string spillover;  // x-ms-spillover-deployment (PTU overflow), Chat requests
  int max_in_flight = 0;  // requests sent to it at once; beyond, the route's next one (0 = DEPLOYMENT_MAX_IN_FLIGHT)
  Price price;            // price: {input, cached_input, output}
};

struct RouteRule {
  std::string pattern;  // glob over the client model name (* and ?), case-insensitive
  std::vector<std::size_t> deployments;  // indexes into Team::deployments, in order
};

struct Team {
  std::vector<Endpoint> endpoints;
  std::vector<Deployment> deployments;
  std::vector<RouteRule> routes;  // in file order: the first match wins
  std::vector<std::size_t> cursor;  // the route named "cursor": gpt-high|medium|low|minimal
  bool from_file = false;
  std::string source;  // the file, or "environment"

  const Deployment* find_deployment(const std::string& name) const;
};

struct TeamError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads and validates the YAML file; ${VAR} in any value is taken from `env`, and so are the Entra
// ID variables (AZURE_TENANT_ID, …) for endpoints with auth: entra. Throws TeamError naming the
// file, line and key of the first problem.
Team load_team_file(const std::string& path, const Env& env);
// The same for the file's text; `path` names it in errors.
Team load_team_text(const std::string& text, const std::string& path, const Env& env);

bool glob_match(std::string_view pattern, std::string_view text);  // case-insensitive, * and ?
// Dated versions before 2025-03-01-preview have no Responses API; v1 / preview / latest do.
bool has_responses_api(std::string_view api_version);

// The routing table, one line per route: route → deployments (endpoint, api, priority).
std::string describe_team(const Team& t);

}  // namespace agp::config
