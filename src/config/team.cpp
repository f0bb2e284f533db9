#include "config/team.hpp"

#include "config/routing.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace agp::config {

// --- endpoints ---

std::string Endpoint::responses_api_version() const {
  if (!responses_version.empty()) return responses_version;
  return api_version_set ? api_version : "v1";
}

bool has_responses_api(std::string_view v) {
  return v == "v1" || v == "preview" || v == "latest" || v.substr(0, 10) >= "2025-03-01";
}

bool Endpoint::responses_api_available() const { return has_responses_api(responses_api_version()); }

std::string Endpoint::chat_url(const std::string& deployment) const {
  if (api_version == "v1") return url + "/openai/v1/chat/completions";
  // Deployment names are validated to [A-Za-z0-9._-], but encode anyway: the URL is ours.
  return url + "/openai/deployments/" + boost::urls::encode(deployment, boost::urls::unreserved_chars) +
         "/chat/completions?api-version=" + api_version;
}

std::string Endpoint::responses_url() const {
  auto v = responses_api_version();
  if (v == "v1") return url + "/openai/v1/responses";
  if (!responses_api_available()) return "";
  return url + "/openai/responses?api-version=" + v;
}

std::string Endpoint::describe_auth() const {
  switch (auth) {
    case Auth::key:
      return auth_header + " header";
    case Auth::none:
      return "no credential";
    case Auth::entra:
      return "Entra ID, " + credential.describe() + ", scope " + credential.scope;
  }
  return "";
}

std::string Endpoint::auth_hint() const {
  switch (auth) {
    case Auth::key:
      return from_env ? "Check AZURE_OPENAI_API_KEY and AZURE_OPENAI_ENDPOINT of the proxy."
                      : "Check the api_key of endpoint " + name + " (sent as " + auth_header + ") and its url.";
    case Auth::none:
      return "Endpoint " + name + " sends no credential (auth: none); give it an api_key or auth: entra.";
    case Auth::entra:
      return "The proxy sent an Entra ID token of the " + credential.describe() + " for scope " + credential.scope +
             ": that identity needs the role \"Cognitive Services OpenAI User\" on the Azure OpenAI resource "
             "(\"Azure AI User\" on an AI Foundry resource, whose scope is https://ai.azure.com/.default); a new role "
             "assignment takes a few minutes to apply.";
  }
  return "";
}

const Deployment* Team::find_deployment(const std::string& name) const {
  if (name.empty()) return nullptr;
  for (auto& d : deployments)
    if (d.name == name) return &d;
  return nullptr;
}

bool glob_match(std::string_view p, std::string_view t) {
  // Iterative * and ? matching, case-insensitive.
  std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  auto eq = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  while (ti < t.size()) {
    if (pi < p.size() && (p[pi] == '?' || eq(p[pi], t[ti]))) {
      ++pi;
      ++ti;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

// --- the YAML file ---

namespace {

struct Reader {
  std::string path;
  const Env& env;

  [[noreturn]] void fail(const YAML::Node& n, const std::string& what) const {
    auto m = n.Mark();
    if (m.is_null()) throw TeamError(fmt::format("{}: {}", path, what));
    throw TeamError(fmt::format("{}:{}:{}: {}", path, m.line + 1, m.column + 1, what));
  }

  // A scalar with ${VAR} taken from the environment.
  std::string text(const YAML::Node& n, const std::string& key) const {
    if (!n.IsScalar()) fail(n, "'" + key + "' must be a single value");
    std::string v = n.Scalar(), out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '$' && i + 1 < v.size() && v[i + 1] == '{') {
        auto close = v.find('}', i + 2);
        if (close == std::string::npos) fail(n, "'" + key + "': unterminated ${ in the value");
        auto name = v.substr(i + 2, close - i - 2);
        auto it = env.find(name);
        if (it == env.end() || it->second.empty())
          fail(n, "'" + key + "' names the environment variable " + name + ", which is not set");
        out += it->second;
        i = close;
      } else {
        out += v[i];
      }
    }
    return out;
  }

  std::int64_t number(const YAML::Node& n, const std::string& key, std::int64_t min, std::int64_t max) const {
    auto s = text(n, key);
    std::int64_t v = 0;
    try {
      std::size_t used = 0;
      v = std::stoll(s, &used);
      if (used != s.size()) throw std::invalid_argument(s);
    } catch (const std::exception&) {
      fail(n, "'" + key + "' must be a whole number, not '" + s + "'");
    }
    if (v < min || v > max) fail(n, fmt::format("'{}' must be from {} to {}", key, min, max));
    return v;
  }

  // A price in USD per million tokens: a plain decimal, 0 to 10 000.
  double price(const YAML::Node& n, const std::string& key) const {
    auto s = text(n, key);
    double v = 0;
    try {
      std::size_t used = 0;
      v = std::stod(s, &used);
      if (used != s.size()) throw std::invalid_argument(s);
    } catch (const std::exception&) {
      fail(n, "'" + key + "' must be a number (USD per million tokens), not '" + s + "'");
    }
    if (!(v >= 0 && v <= 10'000)) fail(n, "'" + key + "' must be from 0 to 10000 (USD per million tokens)");
    return v;
  }

  // A mapping's key: a plain value (as<std::string>() would throw YAML::BadConversion on a
  // sequence or mapping used as a key, `[a]: 1` or `? {a: 1}`).
  std::string key(const YAML::Node& k, const std::string& where) const {
    if (!k.IsScalar()) fail(k, "the keys of " + where + " must be plain names");
    return k.Scalar();
  }

  void only_keys(const YAML::Node& map, const std::string& where, std::initializer_list<const char*> keys) const {
    if (!map.IsMap()) fail(map, where + " must be a mapping (key: value)");
    for (auto kv : map) {
      auto k = key(kv.first, where);
      if (std::none_of(keys.begin(), keys.end(), [&](const char* x) { return k == x; })) {
        std::string list;
        for (auto* x : keys) {
          if (!list.empty()) list += ", ";
          list += x;
        }
        fail(kv.first, "unknown key '" + k + "' in " + where + " (known: " + list + ")");
      }
    }
  }

  HeaderList headers(const YAML::Node& n, const std::string& where) const {
    HeaderList out;
    if (!n) return out;
    if (!n.IsMap()) fail(n, where + ".headers must be a mapping of header: value");
    for (auto kv : n) out.emplace_back(key(kv.first, where + ".headers"), text(kv.second, where + ".headers"));
    return out;
  }
};

// auth: key (an api_key, sent in auth_header), entra (an Entra ID token), none; without `auth`,
// an endpoint with no api_key uses Entra ID.
void auth_of(const Reader& r, const YAML::Node& n, Endpoint& e) {
  std::string auth = n["auth"] ? r.text(n["auth"], "auth") : n["api_key"] ? "key" : "entra";
  if (auth != "key" && auth != "entra" && auth != "none") r.fail(n["auth"], "'auth' must be key, entra or none");
  e.auth = auth == "key" ? Auth::key : auth == "entra" ? Auth::entra : Auth::none;
  if (e.auth == Auth::key && !n["api_key"])
    r.fail(n, "endpoint " + e.name + ": auth: key needs 'api_key' (e.g. api_key: ${AZURE_OPENAI_KEY})");
  if (e.auth != Auth::key && n["api_key"])
    r.fail(n["api_key"], "'api_key' is not sent with auth: " + auth + "; remove one of them");
  if (e.auth != Auth::key && n["auth_header"])
    r.fail(n["auth_header"], "'auth_header' names the key's header; with auth: " + auth +
                                 " put other headers under 'headers'");
  for (const char* k : {"scope", "tenant_id", "client_id"})
    if (n[k] && e.auth != Auth::entra) r.fail(n[k], std::string("'") + k + "' is for auth: entra");
  if (n["api_key"]) e.api_key = r.text(n["api_key"], "api_key");
  if (n["auth_header"]) e.auth_header = r.text(n["auth_header"], "auth_header");
  if (n["scope"]) {
    e.scope = r.text(n["scope"], "scope");
    if (!e.scope.ends_with("/.default") || e.scope.find("://") == std::string::npos)
      r.fail(n["scope"], "'scope' must be a resource's .default scope, like https://ai.azure.com/.default");
  }
  if (n["tenant_id"]) e.tenant_id = r.text(n["tenant_id"], "tenant_id");
  if (n["client_id"]) e.client_id = r.text(n["client_id"], "client_id");
}

Endpoint endpoint_of(const Reader& r, const YAML::Node& n, std::size_t i) {
  std::string where = fmt::format("endpoints[{}]", i);
  r.only_keys(n, where, {"name", "url", "api_key", "auth", "auth_header", "scope", "tenant_id", "client_id", "api_version",
                        "responses_api_version", "headers"});
  Endpoint e;
  if (!n["name"]) r.fail(n, where + ": 'name' is required");
  e.name = r.text(n["name"], "name");
  if (!n["url"]) r.fail(n, where + " (" + e.name + "): 'url' is required");
  e.url = r.text(n["url"], "url");
  while (e.url.ends_with('/')) e.url.pop_back();
  for (std::string suffix : {"/openai/v1", "/openai"})
    if (e.url.ends_with(suffix)) e.url.resize(e.url.size() - suffix.size());
  auto u = boost::urls::parse_absolute_uri(e.url);
  if (u && u->has_userinfo()) r.fail(n["url"], "'url' must not contain credentials; use api_key");
  if (!u || (u->scheme() != "https" && u->scheme() != "http") || u->host().empty() || u->has_query())
    r.fail(n["url"], "'url' must be an http(s) URL like https://my-resource.openai.azure.com");
  auth_of(r, n, e);
  if (n["api_version"]) {
    e.api_version = r.text(n["api_version"], "api_version");
    e.api_version_set = true;
    if (!valid_api_version(e.api_version)) r.fail(n["api_version"], "'api_version' must look like 2025-04-01-preview or v1");
  }
  if (n["responses_api_version"]) {
    e.responses_version = r.text(n["responses_api_version"], "responses_api_version");
    if (!valid_api_version(e.responses_version))
      r.fail(n["responses_api_version"], "'responses_api_version' must look like 2025-04-01-preview or v1");
  }
  e.headers = r.headers(n["headers"], where);
  return e;
}

Deployment deployment_of(const Reader& r, const YAML::Node& n, std::size_t i, const std::vector<Endpoint>& endpoints) {
  std::string where = fmt::format("deployments[{}]", i);
  r.only_keys(n, where, {"name", "endpoint", "deployment", "api", "priority", "weight", "max_output_tokens",
                         "context_window", "encoding", "capabilities", "headers", "spillover", "max_in_flight",
                         "price"});
  Deployment d;
  if (!n["name"]) r.fail(n, where + ": 'name' is required");
  d.name = r.text(n["name"], "name");
  if (!valid_deployment_name(d.name)) r.fail(n["name"], "'name' must be [A-Za-z0-9._-], at most 64 characters");
  if (!n["endpoint"]) r.fail(n, where + " (" + d.name + "): 'endpoint' is required");
  auto ep = r.text(n["endpoint"], "endpoint");
  auto it = std::find_if(endpoints.begin(), endpoints.end(), [&](const Endpoint& e) { return e.name == ep; });
  if (it == endpoints.end()) r.fail(n["endpoint"], "'endpoint' names '" + ep + "', which is not in endpoints");
  d.endpoint = static_cast<std::size_t>(it - endpoints.begin());
  d.deployment = n["deployment"] ? r.text(n["deployment"], "deployment") : d.name;
  if (!valid_deployment_name(d.deployment))
    r.fail(n["deployment"], "'deployment' must be an Azure deployment name ([A-Za-z0-9._-], at most 64)");
  if (n["api"]) {
    d.api = r.text(n["api"], "api");
    if (d.api != "chat" && d.api != "responses" && d.api != "anthropic")
      r.fail(n["api"], "'api' must be chat, responses or anthropic");
  }
  if (n["priority"]) d.priority = static_cast<int>(r.number(n["priority"], "priority", 0, 1000));
  if (n["weight"]) d.weight = static_cast<int>(r.number(n["weight"], "weight", 1, 1000));
  if (n["max_output_tokens"]) d.max_output_tokens = r.number(n["max_output_tokens"], "max_output_tokens", 16, 10'000'000);
  if (n["context_window"]) d.context_window = r.number(n["context_window"], "context_window", 1, 100'000'000);
  if (n["max_in_flight"]) d.max_in_flight = static_cast<int>(r.number(n["max_in_flight"], "max_in_flight", 1, 1'000'000));
  if (n["encoding"]) {
    d.encoding = r.text(n["encoding"], "encoding");
    if (d.encoding != "o200k_base" && d.encoding != "cl100k_base")
      r.fail(n["encoding"], "'encoding' must be o200k_base or cl100k_base");
  }
  if (auto caps = n["capabilities"]) {
    if (!caps.IsMap()) r.fail(caps, "'capabilities' must be a mapping");
    std::string spec = d.name + ":";
    bool first = true;
    for (auto kv : caps) {
      std::string key = r.key(kv.first, where + ".capabilities");
      std::string value;
      if (kv.second.IsSequence())
        for (auto v : kv.second) {
          if (!value.empty()) value += '|';
          value += r.text(v, key);
        }
      else
        value = r.text(kv.second, key);
      if (!first) spec += ',';
      spec += key;
      spec += '=';
      spec += value;
      first = false;
    }
    std::map<std::string, Capability> parsed;
    if (auto bad = parse_capabilities(spec, parsed); !bad.empty()) r.fail(caps, "'capabilities': " + bad);
    d.capabilities = parsed[d.name];
  }
  if (d.max_output_tokens > 0) d.capabilities.max_output_tokens = d.max_output_tokens;
  d.headers = r.headers(n["headers"], where);
  if (n["spillover"]) d.spillover = r.text(n["spillover"], "spillover");
  if (auto p = n["price"]) {
    if (!p.IsMap()) r.fail(p, "'price' must be a mapping of input, cached_input and output (USD per million tokens)");
    r.only_keys(p, where + ".price", {"input", "cached_input", "output"});
    if (!p["input"] || !p["output"]) r.fail(p, "'price' needs input and output (USD per million tokens)");
    d.price.input = r.price(p["input"], "input");
    d.price.output = r.price(p["output"], "output");
    d.price.cached_input = p["cached_input"] ? r.price(p["cached_input"], "cached_input") : d.price.input;
    d.price.set = true;
  }
  return d;
}

// The whole file: the keys and their values checked, one TeamError naming the first problem.
Team team_of(YAML::Node root, const std::string& path, const Env& env) {
  Reader r{path, env};
  r.only_keys(root, "the file", {"endpoints", "deployments", "routes"});
  Team t;
  t.from_file = true;
  t.source = path;
  auto eps = root["endpoints"];
  if (!eps || !eps.IsSequence() || eps.size() == 0) r.fail(root, "'endpoints' must list at least one endpoint");
  std::set<std::string> names;
  auto entra = auth::settings_from_env(env);
  for (std::size_t i = 0; i < eps.size(); ++i) {
    t.endpoints.push_back(endpoint_of(r, eps[i], i));
    auto& e = t.endpoints.back();
    if (!names.insert(e.name).second) r.fail(eps[i], "endpoint '" + e.name + "' is named twice");
    if (e.auth != Auth::entra) continue;
    if (auto bad = auth::validate(entra); !bad.empty()) r.fail(eps[i], "endpoint " + e.name + " (auth: entra): " + bad);
    e.credential = auth::choose(entra, e.scope, e.tenant_id, e.client_id);
  }
  auto deps = root["deployments"];
  if (!deps || !deps.IsSequence() || deps.size() == 0) r.fail(root, "'deployments' must list at least one deployment");
  names.clear();
  for (std::size_t i = 0; i < deps.size(); ++i) {
    t.deployments.push_back(deployment_of(r, deps[i], i, t.endpoints));
    if (!names.insert(t.deployments.back().name).second)
      r.fail(deps[i], "deployment '" + t.deployments.back().name + "' is named twice");
  }
  for (std::size_t i = 0; i < t.deployments.size(); ++i)
    if (auto& s = t.deployments[i].spillover; !s.empty() && !t.find_deployment(s))
      r.fail(deps[i]["spillover"], "'spillover' names '" + s + "', which is not in deployments");
  auto routes = root["routes"];
  if (!routes || !routes.IsMap() || routes.size() == 0) r.fail(root, "'routes' must map model patterns to deployments");
  for (auto kv : routes) {
    RouteRule rule;
    rule.pattern = r.key(kv.first, "routes");
    // yaml-cpp nodes are references (assigning one writes into the document): collect, do not reassign.
    std::vector<YAML::Node> list;
    if (kv.second.IsScalar())
      list.push_back(kv.second);
    else if (kv.second.IsSequence())
      for (auto n : kv.second) list.push_back(n);
    if (list.empty()) r.fail(kv.second, "route '" + rule.pattern + "' must list the deployments to try, in order");
    for (auto& name : list) {
      auto n = r.text(name, "routes." + rule.pattern);
      auto it = std::find_if(t.deployments.begin(), t.deployments.end(), [&](const Deployment& d) { return d.name == n; });
      if (it == t.deployments.end())
        r.fail(name, "route '" + rule.pattern + "' names deployment '" + n + "', which is not in deployments");
      rule.deployments.push_back(static_cast<std::size_t>(it - t.deployments.begin()));
    }
    if (rule.pattern == "cursor")
      t.cursor = rule.deployments;
    else
      t.routes.push_back(std::move(rule));
  }
  return t;
}

}  // namespace

Team load_team_file(const std::string& path, const Env& env) {
  std::ifstream in(path);
  if (!in) throw TeamError(path + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return load_team_text(text.str(), path, env);
}

Team load_team_text(const std::string& text, const std::string& path, const Env& env) {
  try {
    return team_of(YAML::Load(text), path, env);
  } catch (const YAML::Exception& e) {
    // Parse errors, and anything yaml-cpp throws that the checks above did not foresee.
    if (e.mark.is_null()) throw TeamError(fmt::format("{}: {}", path, e.msg));
    throw TeamError(fmt::format("{}:{}:{}: {}", path, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

std::string describe_team(const Team& t) {
  std::string out = "endpoints (" + t.source + "):\n";
  for (auto& e : t.endpoints) out += "  " + e.name + " " + e.url + ": " + e.describe_auth() + "\n";
  out += "routing (" + t.source + "):\n";
  auto line = [&](const std::string& pattern, const std::vector<std::size_t>& deps) {
    out += "  " + pattern + " ->";
    for (std::size_t i = 0; i < deps.size(); ++i) {
      auto& d = t.deployments[deps[i]];
      auto& e = t.endpoints[d.endpoint];
      out += fmt::format("{} {} (endpoint {} {}, deployment {}, api {}, priority {}{}{})", i ? "," : "", d.name, e.name,
                         e.url, d.deployment, d.api.empty() ? "by model" : d.api, d.priority,
                         d.weight != 1 ? fmt::format(", weight {}", d.weight) : "",
                         d.max_in_flight > 0 ? fmt::format(", max_in_flight {}", d.max_in_flight) : "");
    }
    out += "\n";
  };
  for (auto& r : t.routes) line(r.pattern, r.deployments);
  if (!t.cursor.empty()) line("cursor (gpt-high|medium|low|minimal)", t.cursor);
  out += "  azure/<name> -> the deployment of that name\n";
  return out;
}

}  // namespace agp::config
