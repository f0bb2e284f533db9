#include "config/config.hpp"

#include "config/routing.hpp"

#include "config/listen_address.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

extern char** environ;

namespace agp::config {

namespace {

std::string trim(std::string s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string get(const Env& env, const std::string& key, const std::string& fallback = {}) {
  auto it = env.find(key);
  return it == env.end() || it->second.empty() ? fallback : it->second;
}

std::int64_t get_int(const Env& env, const std::string& key, std::int64_t fallback, std::int64_t min,
                     std::int64_t max) {
  auto text = get(env, key);
  if (text.empty()) return fallback;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v < min || v > max)
    throw ConfigError(key + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                      ", not '" + text + "'.");
  return v;
}

bool get_bool(const Env& env, const std::string& key, bool fallback) {
  auto text = get(env, key);
  if (text.empty()) return fallback;
  if (text == "1" || text == "true" || text == "yes" || text == "on") return true;
  if (text == "0" || text == "false" || text == "no" || text == "off") return false;
  throw ConfigError(key + " must be true or false, not '" + text + "'.");
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = trim(item);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}


void load_limits(const Env& env, Config& c) {
  auto secs = [&](const char* key, std::int64_t fallback) {
    return std::chrono::seconds(get_int(env, key, fallback, 1, 3600));
  };
  c.header_timeout = secs("HEADER_TIMEOUT", 10);
  c.body_timeout = secs("BODY_TIMEOUT", 10);
  c.keepalive_timeout = secs("KEEPALIVE_TIMEOUT", 75);
  c.body_min_rate = static_cast<std::uint64_t>(get_int(env, "BODY_MIN_RATE", 4096, 0, 1'000'000'000));
  c.max_connections = static_cast<std::uint64_t>(get_int(env, "MAX_CONNECTIONS", 1024, 1, 1'000'000));
  c.max_in_flight = static_cast<std::uint64_t>(get_int(env, "MAX_IN_FLIGHT", 256, 1, 1'000'000));
  c.max_streams = static_cast<std::uint64_t>(get_int(env, "MAX_STREAMS", 128, 1, 1'000'000));
  c.deployment_max_in_flight = static_cast<int>(get_int(env, "DEPLOYMENT_MAX_IN_FLIGHT", 0, 0, 1'000'000));
  // In MB: the body budget bounds bytes held, not requests; below the largest body it would refuse that body.
  auto mb = get_int(env, "BODY_BUDGET", 0, 1, 1'000'000);
  c.body_budget = mb > 0 ? static_cast<std::uint64_t>(mb) << 20 : default_body_budget(cgroup_memory_limit());
}

}  // namespace

bool valid_api_version(const std::string& v) {
  if (v == "v1" || v == "preview" || v == "latest") return true;
  // YYYY-MM-DD or YYYY-MM-DD-preview
  if (v.size() != 10 && !(v.size() == 18 && v.ends_with("-preview"))) return false;
  for (std::size_t i = 0; i < 10; ++i) {
    bool dash = i == 4 || i == 7;
    if (dash ? v[i] != '-' : !std::isdigit(static_cast<unsigned char>(v[i]))) return false;
  }
  return true;
}

std::optional<std::uint64_t> parse_memory_limit(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v == 0) return std::nullopt;
  if (v >= (std::uint64_t{1} << 60)) return std::nullopt;  // cgroup v1's "unlimited" (PAGE_COUNTER_MAX pages)
  return v;
}

std::optional<std::uint64_t> cgroup_memory_limit() {
  for (const char* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream in(path);
    std::string text;
    if (in && std::getline(in, text)) return parse_memory_limit(text);
  }
  return std::nullopt;
}

std::uint64_t default_body_budget(std::optional<std::uint64_t> memory_limit) {
  constexpr std::uint64_t mb = 1 << 20;
  if (!memory_limit) return 256 * mb;
  return std::clamp(*memory_limit / 4, 32 * mb, 1024 * mb);
}

bool Config::responses_api_available() const { return has_responses_api(responses_api_version()); }

bool Config::listen_is_loopback() const { return listen_host.starts_with("127.") || listen_host == "::1"; }

Env read_env_file(const std::string& path, bool required) {
  std::ifstream in(path);
  if (!in) {
    if (required) throw ConfigError("The env file '" + path + "' given with --env-file cannot be read.");
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_env_text(text.str(), path);
}

Env parse_env_text(std::string_view text, const std::string& path) {
  std::istringstream in{std::string(text)};
  Env env;
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0)
      throw ConfigError("Line " + std::to_string(lineno) + " of '" + path + "' is not KEY=VALUE.");
    std::string key = trim(line.substr(0, eq));
    std::string value = trim(line.substr(eq + 1));
    if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
      // Quoted: up to the closing quote; after it only a comment may follow.
      auto close = value.find(value.front(), 1);
      std::string rest = close == std::string::npos ? "x" : trim(value.substr(close + 1));
      if (!rest.empty() && rest.front() != '#')
        throw ConfigError("Line " + std::to_string(lineno) + " of '" + path +
                          "' has an unterminated or malformed quoted value.");
      value = value.substr(1, close - 1);
    } else if (auto hash = value.find(" #"); hash != std::string::npos) {
      value = trim(value.substr(0, hash));  // trailing comment on an unquoted value
    }
    env[key] = value;
  }
  return env;
}

Env process_env() {
  Env env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

Env merge(const Env& primary, const Env& fallback) {
  Env out = fallback;
  for (auto& [k, v] : primary) out[k] = v;
  return out;
}

Team team_from_env(const Config& c) {
  // The seed's set-up as a team: one endpoint, the deployments it names, its family routes.
  Team t;
  t.source = "environment";
  Endpoint e;
  e.name = "default";
  e.url = c.azure_endpoint;
  e.from_env = true;
  e.api_key = c.azure_api_key;
  if (e.api_key.empty()) {  // no key: Entra ID, from whichever credential the environment holds
    e.auth = Auth::entra;
    if (!c.azure_scope.empty()) e.scope = c.azure_scope;
    e.credential = auth::choose(c.entra, e.scope);
  }
  e.api_version = c.azure_api_version;
  e.api_version_set = c.azure_api_version_set;
  e.responses_version = c.responses_version;
  t.endpoints.push_back(std::move(e));
  auto index_of = [&](const std::string& name) {
    for (std::size_t i = 0; i < t.deployments.size(); ++i)
      if (t.deployments[i].name == name) return i;
    Deployment d;
    d.name = d.deployment = name;
    if (auto it = c.capabilities.find(name); it != c.capabilities.end()) d.capabilities = it->second;
    t.deployments.push_back(std::move(d));
    return t.deployments.size() - 1;
  };
  if (!c.small_model.empty()) t.routes.push_back({"*haiku*", {index_of(c.small_model)}});
  if (!c.big_model.empty()) {
    auto big = index_of(c.big_model);
    t.routes.push_back({"*sonnet*", {big}});
    t.routes.push_back({"*opus*", {big}});
  }
  if (!c.cursor_deployment.empty()) t.cursor = {index_of(c.cursor_deployment)};
  return t;
}

Config load(const Env& env) {
  Config c;

  // Listen address: LISTEN_ADDR, else ASPNETCORE_URLS (the C# tool's), else the default.
  std::string listen = get(env, "LISTEN_ADDR", get(env, "ASPNETCORE_URLS"));
  if (!listen.empty() && !parse_listen_address(listen, c.listen_host, c.listen_port))
    throw ConfigError("LISTEN_ADDR/ASPNETCORE_URLS '" + listen + "' is not HOST:PORT.");

  c.config_file = get(env, "CONFIG_FILE");
  const bool file = !c.config_file.empty();
  c.auth_token = get(env, "ANTHROPIC_AUTH_TOKEN");
  if (!file) {
    c.azure_endpoint = trim(get(env, "AZURE_OPENAI_ENDPOINT"));
    if (c.azure_endpoint.empty())
      throw ConfigError(
          "AZURE_OPENAI_ENDPOINT is not set: give your Azure OpenAI resource URL, e.g. "
          "https://my-resource.openai.azure.com.");
    while (c.azure_endpoint.ends_with('/')) c.azure_endpoint.pop_back();
    // Users paste the whole ".../openai" or ".../openai/v1" URL from the portal; keep the resource root.
    for (std::string suffix : {"/openai/v1", "/openai"})
      if (c.azure_endpoint.ends_with(suffix)) c.azure_endpoint.resize(c.azure_endpoint.size() - suffix.size());
    auto url = boost::urls::parse_absolute_uri(c.azure_endpoint);
    if (url && url->has_userinfo())  // not echoed: the URL holds a secret
      throw ConfigError(
          "AZURE_OPENAI_ENDPOINT must not contain credentials (user:password@); put the key in AZURE_OPENAI_API_KEY.");
    if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->host().empty() || url->has_query() ||
        url->has_fragment())
      throw ConfigError("AZURE_OPENAI_ENDPOINT '" + c.azure_endpoint +
                        "' is not an http(s) URL like https://my-resource.openai.azure.com.");

    c.azure_api_key = get(env, "AZURE_OPENAI_API_KEY");
    c.azure_scope = get(env, "AZURE_OPENAI_SCOPE");
    if (!c.azure_scope.empty() && (!c.azure_scope.ends_with("/.default") || c.azure_scope.find("://") == std::string::npos))
      throw ConfigError("AZURE_OPENAI_SCOPE '" + c.azure_scope +
                        "' is not a resource's .default scope like https://cognitiveservices.azure.com/.default.");
    c.entra = auth::settings_from_env(env);
    if (auto bad = auth::validate(c.entra); c.azure_api_key.empty() && !bad.empty())
      throw ConfigError("AZURE_OPENAI_API_KEY is not set, so the proxy uses Entra ID, but " + bad);

    c.azure_api_version_set = !get(env, "AZURE_API_VERSION").empty();
    c.azure_api_version = get(env, "AZURE_API_VERSION", "2024-10-21");
    if (!valid_api_version(c.azure_api_version))
      throw ConfigError("AZURE_API_VERSION '" + c.azure_api_version +
                        "' is not a version like 2024-10-21, 2025-04-01-preview or v1.");

    c.responses_version = get(env, "AZURE_RESPONSES_API_VERSION");
    if (!c.responses_version.empty() && !valid_api_version(c.responses_version))
      throw ConfigError("AZURE_RESPONSES_API_VERSION '" + c.responses_version +
                        "' is not a version like 2025-04-01-preview or v1.");

    c.big_model = get(env, "BIG_MODEL");
    if (c.big_model.empty())
      throw ConfigError("BIG_MODEL is not set: name the Azure deployment that answers sonnet and opus requests.");
    if (!valid_deployment_name(c.big_model))
      throw ConfigError("BIG_MODEL '" + c.big_model + "' is not a valid deployment name ([A-Za-z0-9._-], at most 64).");
    c.small_model = get(env, "SMALL_MODEL", c.big_model);
    if (!valid_deployment_name(c.small_model))
      throw ConfigError("SMALL_MODEL '" + c.small_model +
                        "' is not a valid deployment name ([A-Za-z0-9._-], at most 64).");

  }
  c.reasoning_deployments = split_list(get(env, "REASONING_DEPLOYMENTS"));
  c.cursor_deployment = get(env, "CURSOR_AZURE_DEPLOYMENT", c.big_model);
  if (!c.cursor_deployment.empty() && !valid_deployment_name(c.cursor_deployment))
    throw ConfigError("CURSOR_AZURE_DEPLOYMENT '" + c.cursor_deployment +
                      "' is not a valid deployment name ([A-Za-z0-9._-], at most 64).");
  c.summary_level = get(env, "AZURE_SUMMARY_LEVEL", "detailed");
  if (c.summary_level != "auto" && c.summary_level != "concise" && c.summary_level != "detailed" &&
      c.summary_level != "none")
    throw ConfigError("AZURE_SUMMARY_LEVEL '" + c.summary_level + "' must be one of auto, concise, detailed, none.");
  c.backend = get(env, "AZURE_BACKEND", "chat");
  if (c.backend != "chat" && c.backend != "responses")
    throw ConfigError("AZURE_BACKEND '" + c.backend + "' must be chat or responses.");
  for (auto [key, field] : {std::pair{"BIG_EFFORT", &c.big_effort}, std::pair{"SMALL_EFFORT", &c.small_effort}}) {
    *field = get(env, key);
    if (!field->empty() && *field != "none" && *field != "minimal" && *field != "low" && *field != "medium" &&
        *field != "high" && *field != "xhigh")
      throw ConfigError(std::string(key) + " '" + *field + "' must be one of none, minimal, low, medium, high, xhigh.");
  }
  if (auto caps = get(env, "AZURE_DEPLOYMENT_CAPABILITIES"); !caps.empty())
    if (auto bad = parse_capabilities(caps, c.capabilities); !bad.empty())
      throw ConfigError("AZURE_DEPLOYMENT_CAPABILITIES: " + bad + ".");
  c.reasoning_display = get(env, "REASONING_DISPLAY", "think");
  if (c.reasoning_display != "think" && c.reasoning_display != "field" && c.reasoning_display != "off")
    throw ConfigError("REASONING_DISPLAY '" + c.reasoning_display + "' must be one of think, field, off.");
  c.max_output_tokens = get_int(env, "AZURE_MAX_OUTPUT_TOKENS", 0, 0, 10'000'000);

  c.threads = static_cast<int>(get_int(env, "THREADS", 0, 0, 256));
  c.connect_timeout = std::chrono::seconds(get_int(env, "UPSTREAM_CONNECT_TIMEOUT", 10, 1, 600));
  c.first_byte_timeout = std::chrono::seconds(get_int(env, "UPSTREAM_FIRST_BYTE_TIMEOUT", 600, 1, 3600));
  c.idle_timeout = std::chrono::seconds(get_int(env, "UPSTREAM_IDLE_TIMEOUT", 300, 1, 3600));
  c.ping_interval = std::chrono::seconds(get_int(env, "PING_INTERVAL", 10, 1, 300));
  c.shutdown_grace = std::chrono::seconds(get_int(env, "SHUTDOWN_GRACE", 30, 0, 3600));
  c.upstream_retries = static_cast<int>(get_int(env, "UPSTREAM_RETRIES", 2, 0, 10));
  c.verify_tls = get_bool(env, "AZURE_VERIFY_TLS", true);
  c.ca_file = get(env, "AZURE_CA_FILE");
  if (!c.ca_file.empty() && !std::ifstream(c.ca_file))
    throw ConfigError("AZURE_CA_FILE '" + c.ca_file + "' (--ca-file) cannot be read: give a PEM file of the CA certificates to trust.");
  load_limits(env, c);
  // Outbound proxy, as curl reads it: the scheme's variable, upper or lower case.
  bool https = file || c.azure_endpoint.starts_with("https://");
  for (auto key : https ? std::vector<std::string>{"HTTPS_PROXY", "https_proxy"}
                        : std::vector<std::string>{"HTTP_PROXY", "http_proxy"})
    if (c.upstream_proxy.empty()) c.upstream_proxy = trim(get(env, key));
  if (!c.upstream_proxy.empty()) {
    if (c.upstream_proxy.find("://") == std::string::npos) c.upstream_proxy = "http://" + c.upstream_proxy;
    auto p = boost::urls::parse_absolute_uri(c.upstream_proxy);
    if (!p || p->scheme() != "http" || p->host().empty())
      // Not echoed: a proxy URL may carry credentials.
      throw ConfigError("HTTPS_PROXY/HTTP_PROXY must be an http:// proxy URL like http://proxy.corp:3128.");
  }
  auto no_proxy = env.count("NO_PROXY")   ? env.at("NO_PROXY")
                  : env.count("no_proxy") ? env.at("no_proxy")
                                          : std::string("localhost,127.0.0.1,::1");
  c.no_proxy = split_list(no_proxy);
  c.log_level = get(env, "LOG_LEVEL", "info");
  if (c.log_level != "trace" && c.log_level != "debug" && c.log_level != "info" && c.log_level != "warn" &&
      c.log_level != "error")
    throw ConfigError("LOG_LEVEL '" + c.log_level + "' must be one of trace, debug, info, warn, error.");
  c.log_format = get(env, "LOG_FORMAT", "text");
  if (c.log_format != "text" && c.log_format != "json")
    throw ConfigError("LOG_FORMAT '" + c.log_format + "' must be text or json.");
  c.log_bodies = get_bool(env, "LOG_BODIES", false);
  c.metrics_token = get(env, "METRICS_TOKEN");
  c.validate_stream = get_bool(env, "VALIDATE_STREAM", false);
  c.circuit_failures = static_cast<int>(get_int(env, "CIRCUIT_FAILURES", 5, 1, 1000));
  c.circuit_cooldown = std::chrono::seconds(get_int(env, "CIRCUIT_COOLDOWN", 30, 1, 3600));
  c.retry_wait_cap = std::chrono::seconds(get_int(env, "RETRY_WAIT_CAP", 10, 0, 600));
  c.failover_budget = std::chrono::seconds(get_int(env, "FAILOVER_BUDGET", 60, 1, 3600));
  c.count_sample = static_cast<int>(get_int(env, "COUNT_SAMPLE", 32, 1, 1000000));
  if (file) {
    try {
      c.team = std::make_shared<const Team>(load_team_file(c.config_file, env));
    } catch (const TeamError& e) {
      throw ConfigError(e.what());
    }
  } else {
    c.team = std::make_shared<const Team>(team_from_env(c));
  }
  c.record_dir = get(env, "RECORD_DIR");
  c.database_url = trim(get(env, "DATABASE_URL"));
  c.key_refresh = std::chrono::milliseconds(get_int(env, "KEY_REFRESH_MS", 2000, 100, 600000));
  c.usage_flush = std::chrono::milliseconds(get_int(env, "USAGE_FLUSH_MS", 1000, 10, 600000));
  c.admin_token = get(env, "ADMIN_TOKEN");
  return c;
}

}  // namespace agp::config
