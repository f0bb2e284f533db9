#include "auth/credential.hpp"

#include "core/json_util.hpp"

#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace agp::auth {

namespace json = boost::json;

namespace {

std::string get(const Env& env, const char* key) {
  auto it = env.find(key);
  return it == env.end() ? std::string() : it->second;
}

std::string without_trailing_slash(std::string s) {
  while (s.ends_with('/')) s.pop_back();
  return s;
}

bool loopback(std::string_view host) {
  return host.starts_with("127.") || host == "localhost" || host == "::1" || host == "[::1]";
}

// An http(s) URL; plain http only where `http_ok` (the identity endpoints are http by design) or on
// loopback (the tests' mocks): a secret never travels in clear text to another host.
std::string check_url(const std::string& name, const std::string& value, bool http_ok) {
  auto u = boost::urls::parse_absolute_uri(value);
  bool http = u && u->scheme() == "http";
  if (!u || (u->scheme() != "https" && !http) || u->host().empty() || u->has_userinfo())
    return name + " '" + value + "' is not an http(s) URL.";
  if (http && !http_ok && !loopback(u->host()))
    return name + " must be an https:// URL (plain http only on loopback), not '" + value + "'.";
  return "";
}

const std::vector<std::pair<std::string, std::string>> kFormHeaders = {
    {"content-type", "application/x-www-form-urlencoded"}, {"accept", "application/json"}};

std::string query_part(std::string_view key, std::string_view value) {
  return std::string(key) + "=" + boost::urls::encode(value, boost::urls::unreserved_chars);
}

// A whole number of seconds, as a JSON number or a numeric string (IMDS sends strings).
bool seconds_of(const json::value* v, std::int64_t& out) {
  if (!v) return false;
  if (v->is_int64()) return out = v->get_int64(), true;
  if (v->is_uint64()) return out = static_cast<std::int64_t>(v->get_uint64()), true;
  // Range first: casting a double outside int64's range is undefined behaviour.
  if (v->is_double()) {
    double d = v->get_double();
    if (!(d >= -0x1p63 && d < 0x1p63)) return false;
    return out = static_cast<std::int64_t>(d), true;
  }
  if (!v->is_string()) return false;
  auto s = v->get_string();
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

// Entra: {error, error_description}; IMDS the same; App Service {statusCode, message} or
// {error: {code, message}}. The description without Entra's trace and correlation ids.
std::string error_text(unsigned status, std::string_view body) {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  std::string code, text;
  if (!ec && v.is_object()) {
    auto& o = v.get_object();
    if (auto* e = find_object(o, "error")) {
      code = std::string(find_string(*e, "code").value_or(""));
      text = std::string(find_string(*e, "message").value_or(""));
    } else {
      code = std::string(find_string(o, "error").value_or(""));
      text = std::string(find_string(o, "error_description").value_or(find_string(o, "message").value_or("")));
    }
  }
  if (text.empty() && code.empty()) text = std::string(body.substr(0, 300));
  if (auto at = text.find("Trace ID:"); at != std::string::npos) text.resize(at);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::string out = fmt::format("HTTP {}", status);
  if (!code.empty()) out += " " + code;
  if (!text.empty()) out += ": " + text;
  return out;
}

}  // namespace

Settings settings_from_env(const Env& env) {
  Settings s;
  s.tenant_id = get(env, "AZURE_TENANT_ID");
  s.client_id = get(env, "AZURE_CLIENT_ID");
  s.client_secret = get(env, "AZURE_CLIENT_SECRET");
  s.certificate_path = get(env, "AZURE_CLIENT_CERTIFICATE_PATH");
  s.certificate_password = get(env, "AZURE_CLIENT_CERTIFICATE_PASSWORD");
  s.federated_token_file = get(env, "AZURE_FEDERATED_TOKEN_FILE");
  if (auto a = get(env, "AZURE_AUTHORITY_HOST"); !a.empty()) s.authority_host = without_trailing_slash(a);
  s.identity_endpoint = get(env, "IDENTITY_ENDPOINT");
  s.identity_header = get(env, "IDENTITY_HEADER");
  if (auto h = get(env, "AZURE_POD_IDENTITY_AUTHORITY_HOST"); !h.empty()) s.imds_host = without_trailing_slash(h);
  return s;
}

std::string validate(const Settings& s) {
  if (auto e = check_url("AZURE_AUTHORITY_HOST", s.authority_host, false); !e.empty()) return e;
  if (!s.identity_endpoint.empty())
    if (auto e = check_url("IDENTITY_ENDPOINT", s.identity_endpoint, true); !e.empty()) return e;
  return check_url("AZURE_POD_IDENTITY_AUTHORITY_HOST", s.imds_host, true);
}

std::string_view source_name(Source s) {
  switch (s) {
    case Source::client_secret:
      return "client secret";
    case Source::client_certificate:
      return "client certificate";
    case Source::workload_identity:
      return "workload identity";
    case Source::app_service_identity:
      return "managed identity (IDENTITY_ENDPOINT)";
    case Source::imds_identity:
      return "managed identity (IMDS)";
  }
  return "credential";
}

Credential choose(const Settings& s, std::string scope, const std::string& tenant_id, const std::string& client_id) {
  Credential c;
  c.scope = scope.empty() ? std::string(kCognitiveServicesScope) : std::move(scope);
  c.tenant_id = tenant_id.empty() ? s.tenant_id : tenant_id;
  c.client_id = client_id.empty() ? s.client_id : client_id;
  c.authority_host = s.authority_host;
  const bool app = !c.tenant_id.empty() && !c.client_id.empty();
  if (app && !s.client_secret.empty()) {
    c.source = Source::client_secret;
    c.client_secret = s.client_secret;
  } else if (app && !s.certificate_path.empty()) {
    c.source = Source::client_certificate;
    c.certificate_path = s.certificate_path;
    c.certificate_password = s.certificate_password;
  } else if (app && !s.federated_token_file.empty()) {
    c.source = Source::workload_identity;
    c.federated_token_file = s.federated_token_file;
  } else if (!s.identity_endpoint.empty() && !s.identity_header.empty()) {
    c.source = Source::app_service_identity;
    c.identity_endpoint = s.identity_endpoint;
    c.identity_header = s.identity_header;
  } else {
    c.source = Source::imds_identity;
    c.imds_host = s.imds_host;
  }
  if (c.managed_identity()) c.tenant_id.clear();  // the identity endpoint knows its tenant
  return c;
}

std::string Credential::key() const {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", static_cast<int>(source), authority_host, tenant_id, client_id,
                     certificate_path, federated_token_file, identity_endpoint, imds_host, scope);
}

std::string Credential::describe() const {
  std::string who = fmt::format("app {} in tenant {}", client_id, tenant_id);
  std::string mi = client_id.empty() ? "system-assigned" : "user-assigned, client id " + client_id;
  switch (source) {
    case Source::client_secret:
      return "client secret (AZURE_CLIENT_SECRET) of " + who;
    case Source::client_certificate:
      return "client certificate " + certificate_path + " of " + who;
    case Source::workload_identity:
      return "workload identity (federated token " + federated_token_file + ") of " + who;
    case Source::app_service_identity:
      return "managed identity at IDENTITY_ENDPOINT " + identity_endpoint + " (" + mi + ")";
    case Source::imds_identity:
      return "managed identity at IMDS " + imds_host + " (" + mi + ")";
  }
  return "credential";
}

std::string Credential::hint() const {
  switch (source) {
    case Source::client_secret:
      return "check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (the secret's value, not its ID)";
    case Source::client_certificate:
      return "check AZURE_CLIENT_CERTIFICATE_PATH (a PEM holding the certificate and its private key, or a PFX) and "
             "that this certificate is uploaded to the app registration";
    case Source::workload_identity:
      return "check the identity's federated credential: issuer = the cluster's OIDC issuer, subject "
             "system:serviceaccount:<namespace>:<serviceaccount>, audience api://AzureADTokenExchange";
    case Source::app_service_identity:
    case Source::imds_identity:
      return "check that a managed identity is assigned to this VM or app (AZURE_CLIENT_ID names a user-assigned "
             "one); off Azure, set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, or give an API key";
  }
  return "";
}

std::string resource_of(std::string_view scope) {
  if (scope.ends_with("/.default")) scope.remove_suffix(9);
  return std::string(scope);
}

std::string token_url(const Credential& c) {
  return c.authority_host + "/" + boost::urls::encode(c.tenant_id, boost::urls::unreserved_chars) +
         "/oauth2/v2.0/token";
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += query_part(k, v);
  }
  return out;
}

TokenRequest token_request(const Credential& c, const std::string& assertion) {
  TokenRequest r;
  std::string resource = resource_of(c.scope);
  if (c.source == Source::app_service_identity || c.source == Source::imds_identity) {
    r.post = false;
    bool app_service = c.source == Source::app_service_identity;
    r.url = app_service ? c.identity_endpoint : c.imds_host + "/metadata/identity/oauth2/token";
    r.url += r.url.find('?') == std::string::npos ? '?' : '&';
    r.url += query_part("api-version", app_service ? "2019-08-01" : "2018-02-01");
    r.url += '&';
    r.url += query_part("resource", resource);
    if (!c.client_id.empty()) {
      r.url += '&';
      r.url += query_part("client_id", c.client_id);
    }
    r.headers = {{"accept", "application/json"}};
    if (app_service)
      r.headers.emplace_back("x-identity-header", c.identity_header);
    else
      r.headers.emplace_back("metadata", "true");
    return r;
  }
  r.url = token_url(c);
  r.headers = kFormHeaders;
  std::vector<std::pair<std::string, std::string>> form = {
      {"grant_type", "client_credentials"}, {"client_id", c.client_id}, {"scope", c.scope}};
  if (c.source == Source::client_secret) {
    form.emplace_back("client_secret", c.client_secret);
  } else {
    form.emplace_back("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    form.emplace_back("client_assertion", assertion);
  }
  r.body = form_encode(form);
  return r;
}

Token schedule(std::string value, Clock::time_point issued, Clock::time_point expires) {
  using namespace std::chrono_literals;
  Token t{std::move(value), expires, expires, expires};
  auto lifetime = expires - issued;
  if (lifetime <= Clock::duration::zero()) return t;
  t.refresh_at = lifetime >= 2h ? issued + lifetime / 2 : expires - std::min<Clock::duration>(5min, lifetime / 2);
  t.usable_until = expires - std::min<Clock::duration>(30s, lifetime / 10);
  return t;
}

std::string aadsts_code(std::string_view text) {
  auto at = text.find("AADSTS");
  if (at == std::string_view::npos) return "";
  auto end = at + 6;
  while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
  return end > at + 6 ? std::string(text.substr(at, end - at)) : std::string();
}

Result<Token> parse_token_response(unsigned status, std::string_view body, Clock::time_point now) {
  if (status != 200) return Error{500, ErrorKind::upstream_auth, error_text(status, body), {}};
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  const json::object* o = !ec && v.is_object() ? &v.get_object() : nullptr;
  auto token = o ? find_string(*o, "access_token") : std::nullopt;
  if (!token || token->empty())
    return Error{500, ErrorKind::upstream_auth, "the answer (HTTP 200) has no access_token", {}};
  std::int64_t n = 0;
  if (seconds_of(o->if_contains("expires_in"), n))
    return schedule(std::string(*token), now, now + std::chrono::seconds(n));
  if (seconds_of(o->if_contains("expires_on"), n))
    return schedule(std::string(*token), now, Clock::time_point(std::chrono::seconds(n)));
  return Error{500, ErrorKind::upstream_auth, "the answer (HTTP 200) has neither expires_in nor expires_on", {}};
}

}  // namespace agp::auth
