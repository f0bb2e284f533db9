// Start-up configuration: the process environment first, then a .env file that never
// overrides it. Names are the original C# tool's, so its users switch without edits.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include "auth/credential.hpp"
#include "config/team.hpp"
#include "core/capabilities.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace agp::config {


// A configuration problem, phrased as one sentence naming the variable.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Config {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8082;
  int threads = 0;  // 0 = number of cores

  std::string azure_endpoint;  // scheme://host[:port][/base], no trailing slash
  std::string azure_api_key;                       // "" = Entra ID (the credential chain)
  std::string azure_scope;                         // AZURE_OPENAI_SCOPE: Entra ID scope; "" = Cognitive Services
  auth::Settings entra;                            // AZURE_TENANT_ID, AZURE_CLIENT_ID, … (DefaultAzureCredential's names)
  std::string azure_api_version;                   // dated ("2024-10-21") or "v1"
  bool azure_api_version_set = false;              // given by the user (else the Responses API uses v1)
  std::string responses_version;                   // AZURE_RESPONSES_API_VERSION; "" = follow AZURE_API_VERSION
  std::string auth_token;                          // client token; empty = no client auth
  std::string small_model;                         // deployment for *haiku*
  std::string big_model;                           // deployment for *sonnet* / *opus*
  std::vector<std::string> reasoning_deployments;  // extra names treated as reasoning models
  std::int64_t max_output_tokens = 0;              // cap for max_completion_tokens; 0 = none
  std::string cursor_deployment;                   // gpt-high|medium|low|minimal go here
  std::string summary_level = "detailed";          // Responses reasoning.summary for Cursor
  std::string reasoning_display = "think";         // think | field | off
  std::string backend = "chat";                    // chat | responses: default API for /v1/messages
  std::string big_effort, small_effort;            // reasoning effort overrides per model family
  std::map<std::string, Capability> capabilities;  // AZURE_DEPLOYMENT_CAPABILITIES: stated per deployment
  std::string config_file;                         // --config / CONFIG_FILE: the team's YAML file
  std::shared_ptr<const Team> team;                // endpoints, deployments, routes (from the file or the env)
  int circuit_failures = 5;                        // consecutive failures that open a deployment's circuit
  std::chrono::seconds circuit_cooldown{30};       // open circuit: time before one half-open probe
  std::chrono::seconds retry_wait_cap{10};         // longest retry-after waited for on the same deployment
  std::chrono::seconds failover_budget{60};        // no further deployment is tried after this long
  int count_sample = 8;                            // exact token count for 1 request in N (1 = every one)

  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds first_byte_timeout{600};  // reasoning models think for minutes
  std::chrono::seconds idle_timeout{300};        // silence between two upstream chunks
  std::chrono::seconds ping_interval{10};
  std::chrono::seconds shutdown_grace{30};  // SIGTERM: time for answers in flight to finish
  int upstream_retries = 2;                 // before any byte reached the client
  bool verify_tls = true;
  std::string ca_file;                // AZURE_CA_FILE / --ca-file: a PEM bundle trusted besides the system's
  std::string upstream_proxy;         // HTTPS_PROXY (or HTTP_PROXY for an http endpoint); "" = direct
  std::vector<std::string> no_proxy;  // NO_PROXY entries; loopback when NO_PROXY is unset

  // Slow clients (see http::Limits): the header block, a body's silence and pace, idle keep-alive.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{10};
  std::uint64_t body_min_rate = 4096;  // bytes/s after body_timeout's head start; 0 = none
  std::chrono::seconds keepalive_timeout{75};
  // Admission control (see http::Admission), sized for a 2-core, 512 MB container.
  std::uint64_t max_connections = 1024;   // clamped to what RLIMIT_NOFILE allows at start-up
  std::uint64_t max_in_flight = 256;      // model requests being handled
  std::uint64_t max_streams = 128;        // streamed answers open (within max_in_flight)
  int deployment_max_in_flight = 0;       // default cap per deployment (max_in_flight in the YAML); 0 = none
  std::uint64_t body_budget = 256u << 20; // bytes of bodies held at once; default from the cgroup's memory

  std::string log_level = "info";
  std::string log_format = "text";  // text | json (LOG_FORMAT, --log-format)
  bool log_bodies = false;          // --log-bodies: request and answer bodies in the log, keys redacted
  std::string metrics_token;        // METRICS_TOKEN: guards /metrics and /status.json; "" = open
  // Team access (issue 17): keys, budgets and usage in a database; "" = the shared token only.
  std::string database_url;                // DATABASE_URL / --database: sqlite:///abs/file.db or postgresql://…
  std::chrono::milliseconds key_refresh{2000};  // KEY_REFRESH_MS: keys and budget totals read again this often
  std::chrono::milliseconds usage_flush{1000};  // USAGE_FLUSH_MS: usage rows written at least this often
  std::string admin_token;                 // ADMIN_TOKEN: guards /admin/…; "" = the admin API is off (404)
  bool validate_stream = false;  // log Anthropic SSE grammar violations (debug aid)
  std::string record_dir;        // --record: write each exchange there

  bool api_version_is_v1() const { return azure_api_version == "v1"; }
  // The api-version for the Responses API: the user's if given, else v1.
  std::string responses_api_version() const {
    if (!responses_version.empty()) return responses_version;
    return azure_api_version_set ? azure_api_version : "v1";
  }
  // Dated versions before 2025-03-01-preview have no Responses API.
  bool responses_api_available() const;
  bool listen_is_loopback() const;
};

// Reads a dotenv file: KEY=VALUE lines, optional `export `, quotes, # comments.
// Throws ConfigError if the file exists but a line is malformed; a missing file
// yields an empty map unless `required`.
Env read_env_file(const std::string& path, bool required);
// The same for a dotenv file's text; `path` names it in errors.
Env parse_env_text(std::string_view text, const std::string& path);
// The process environment as a map.
Env process_env();
// Environment first, then the file's values for keys the environment lacks.
Env merge(const Env& primary, const Env& fallback);
// The seed's environment-only set-up (AZURE_OPENAI_ENDPOINT, BIG_MODEL, …) as a team.
Team team_from_env(const Config& c);
// The container's memory limit in bytes from the text of cgroup v2 memory.max or v1
// memory.limit_in_bytes; nullopt for "max", a v1 "unlimited" value, or text that is not a number.
// An Azure api-version: YYYY-MM-DD, YYYY-MM-DD-preview, v1, preview or latest.
bool valid_api_version(const std::string& v);
std::optional<std::uint64_t> parse_memory_limit(std::string_view text);
// The memory limit of this process's cgroup, if it has one.
std::optional<std::uint64_t> cgroup_memory_limit();
// The default BODY_BUDGET: a quarter of the memory limit (a body costs a few times its bytes while
// it is parsed and translated), from 32 MB to 1 GB; 256 MB without a limit.
std::uint64_t default_body_budget(std::optional<std::uint64_t> memory_limit);

// Validates and builds the configuration; throws ConfigError.
Config load(const Env& env);

}  // namespace agp::config
