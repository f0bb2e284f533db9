#include "entra.hpp"

#include "chat_reply.hpp"
#include "form.hpp"

#include <boost/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

namespace mock {

namespace json = boost::json;
using std::string;
using std::string_view;
using Clock = std::chrono::system_clock;

namespace {

std::int64_t epoch(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

string read_file(const string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

string uuid() {
  return random_alnum(8) + "-" + random_alnum(4) + "-" + random_alnum(4) + "-" + random_alnum(4) + "-" + random_alnum(12);
}

// Entra's error answer: `error`, the AADSTS code and text with trace and correlation ids
// appended as Entra does, and the code again in error_codes.
std::pair<unsigned, string> entra_error(unsigned status, string_view error, int code, string_view text) {
  string trace = uuid(), correlation = uuid();
  string description = "AADSTS" + std::to_string(code) + ": " + string(text) + "\r\nTrace ID: " + trace +
                       "\r\nCorrelation ID: " + correlation + "\r\nTimestamp: 2026-01-01 00:00:00Z";
  json::object o{{"error", error},
                 {"error_description", description},
                 {"error_codes", json::array{code}},
                 {"timestamp", "2026-01-01 00:00:00Z"},
                 {"trace_id", trace},
                 {"correlation_id", correlation},
                 {"error_uri", "https://login.microsoftonline.com/error?code=" + std::to_string(code)}};
  return {status, json::serialize(o)};
}

std::pair<unsigned, string> imds_error(unsigned status, string_view text) {
  return {status, json::serialize(json::object{{"error", "invalid_request"}, {"error_description", text}})};
}

string b64url_decode(string_view in) {
  string s(in);
  for (auto& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  string out(s.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(s.data()),
                          static_cast<int>(s.size()));
  if (n < 0) return "";
  std::size_t pad = s.ends_with("==") ? 2 : s.ends_with('=') ? 1 : 0;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

string b64url(const unsigned char* p, unsigned n) {
  string out(4 * ((n + 2) / 3) + 1, '\0');
  int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), p, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

// The registered certificate's check of a client assertion: thumbprint, RS256 signature, claims.
// "" when it holds, else (code, text) of Entra's refusal.
std::optional<std::pair<int, string>> check_assertion(const string& cert_file, string_view jwt, string_view audience,
                                                      string_view client_id) {
  auto d1 = jwt.find('.'), d2 = jwt.rfind('.');
  if (d1 == string_view::npos || d1 == d2) return std::pair{50027, string("JWT token is invalid or malformed.")};
  boost::system::error_code ec;
  auto header = json::parse(b64url_decode(jwt.substr(0, d1)), ec);
  auto claims = ec ? json::value() : json::parse(b64url_decode(jwt.substr(d1 + 1, d2 - d1 - 1)), ec);
  if (ec || !header.is_object() || !claims.is_object())
    return std::pair{50027, string("JWT token is invalid or malformed.")};
  string pem = read_file(cert_file);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return std::pair{700027, string("Client assertion contains an invalid signature. [Reason - The key was not found.]")};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  X509_digest(cert.get(), EVP_sha256(), md, &n);
  string s256 = b64url(md, n);
  X509_digest(cert.get(), EVP_sha1(), md, &n);
  string s1 = b64url(md, n);
  auto& h = header.get_object();
  auto text = [](const json::object& o, string_view k) {
    auto* v = o.if_contains(k);
    return v && v->is_string() ? string(v->get_string()) : string();
  };
  if (text(h, "alg") != "RS256") return std::pair{50027, string("JWT token is invalid or malformed.")};
  if (text(h, "x5t#S256") != s256 && text(h, "x5t") != s1)
    return std::pair{700027, string("Client assertion contains an invalid signature. [Reason - The key was not found.]")};
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(X509_get_pubkey(cert.get()), EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  string sig = b64url_decode(jwt.substr(d2 + 1));
  string_view input = jwt.substr(0, d2);
  bool valid = EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) == 1 &&
               EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  if (!valid)
    return std::pair{700027, string("Client assertion contains an invalid signature. [Reason - The provided signature "
                                    "value did not match the expected signature value.]")};
  auto& c = claims.get_object();
  if (text(c, "aud") != audience || text(c, "iss") != client_id || text(c, "sub") != client_id || text(c, "jti").empty())
    return std::pair{50027, string("JWT token is invalid or malformed.")};
  auto now = epoch(Clock::now());
  auto num = [&](string_view k) {
    auto* v = c.if_contains(k);
    return v && v->is_int64() ? v->get_int64() : -1;
  };
  if (num("exp") < now || num("nbf") > now + 300)
    return std::pair{700024, string("Client assertion is not within its valid time range.")};
  return std::nullopt;
}

// A certificate's assertion names the certificate in its header; a federated token does not.
bool signed_with_certificate(string_view jwt) {
  boost::system::error_code ec;
  auto header = json::parse(b64url_decode(jwt.substr(0, jwt.find('.'))), ec);
  return !ec && header.is_object() && (header.as_object().contains("x5t") || header.as_object().contains("x5t#S256"));
}

}  // namespace

bool Entra::serves(string_view path) const {
  return path.ends_with("/oauth2/v2.0/token") || path == "/metadata/identity/oauth2/token" || path == "/msi/token";
}

std::pair<unsigned, string> Entra::answer(const agp::http::Request& req, string_view path) {
  if (path == "/metadata/identity/oauth2/token") return managed_identity(req, false);
  if (path == "/msi/token") return managed_identity(req, true);
  auto tenant = path.substr(1, path.size() - 1 - string_view("/oauth2/v2.0/token").size());
  return authority(req, tenant);
}

std::pair<unsigned, string> Entra::authority(const agp::http::Request& req, string_view tenant) {
  string_view form = req.message.body();
  auto field = [&](string_view k) { return query_param(form, k).value_or(""); };
  string client = field("client_id"), scope = field("scope"), secret = field("client_secret"),
         assertion = field("client_assertion");
  string kind = !secret.empty() ? "client_secret" : signed_with_certificate(assertion) ? "client_certificate" : "workload_identity";
  json::object entry{{"kind", kind}, {"client_id", client}, {"scope", scope}};
  auto done = [&](std::pair<unsigned, string> a) {
    entry["status"] = a.first;
    if (a.first != 200) entry["error"] = json::parse(a.second).as_object().at("error_codes").as_array().at(0);
    record(std::move(entry));
    return a;
  };
  if (req.message.method() != agp::http::bhttp::verb::post)
    return done(entra_error(405, "invalid_request", 900561, "The endpoint only accepts POST requests."));
  if (tenant != cfg_.tenant)
    return done(entra_error(400, "invalid_request", 90002,
                            "Tenant '" + string(tenant) + "' not found. Check to make sure you have the correct tenant ID "
                            "and are signing into the correct cloud."));
  if (field("grant_type") != "client_credentials")
    return done(entra_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type."));
  if (client != cfg_.client_id)
    return done(entra_error(400, "unauthorized_client", 700016,
                            "Application with identifier '" + client + "' was not found in the directory '" +
                                string(tenant) + "'."));
  if (!scope.ends_with("/.default"))
    return done(entra_error(400, "invalid_scope", 1002012,
                            "The provided value for scope " + scope + " is not valid. Client credential flows must have a "
                            "scope value with /.default suffixed to the resource identifier (application ID URI)."));
  if (!secret.empty()) {
    if (cfg_.client_secret.empty() || secret != cfg_.client_secret)
      return done(entra_error(401, "invalid_client", 7000215,
                              "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                              "secret value, not the client secret ID, for a secret added to app '" + client + "'."));
  } else if (assertion.empty()) {
    return done(entra_error(400, "invalid_request", 7000218,
                            "The request body must contain the following parameter: 'client_assertion' or "
                            "'client_secret'."));
  } else if (field("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
    return done(entra_error(400, "invalid_request", 700011, "The client_assertion_type is not supported."));
  } else if (kind == "client_certificate") {
    string aud = "http://" + string(req.header("host")) + string(req.target_path());
    if (cfg_.certificate_file.empty())
      return done(entra_error(401, "invalid_client", 700027,
                              "Client assertion contains an invalid signature. [Reason - The key was not found.]"));
    if (auto bad = check_assertion(cfg_.certificate_file, assertion, aud, client))
      return done(entra_error(401, "invalid_client", bad->first, bad->second));
  } else if (cfg_.federated_token_file.empty() || assertion != read_file(cfg_.federated_token_file)) {
    return done(entra_error(400, "invalid_request", 70021,
                            "No matching federated identity record found for presented assertion."));
  }
  string token = issue(client, scope.substr(0, scope.size() - 9));
  json::object ok{{"token_type", "Bearer"},
                  {"expires_in", cfg_.token_lifetime},
                  {"ext_expires_in", cfg_.token_lifetime},
                  {"access_token", token}};
  return done({200, json::serialize(ok)});
}

// IMDS (GET with Metadata: true, api-version 2018-02-01) and App Service (X-IDENTITY-HEADER,
// 2019-08-01); a client_id asks for a user-assigned identity, none for the system-assigned one.
// Their answers carry numbers as strings.
std::pair<unsigned, string> Entra::managed_identity(const agp::http::Request& req, bool app_service) {
  string resource = query_param(req.query(), "resource").value_or("");
  string client = query_param(req.query(), "client_id").value_or("");
  string version = query_param(req.query(), "api-version").value_or("");
  json::object entry{{"kind", app_service ? "app_service_identity" : "imds_identity"},
                     {"client_id", client},
                     {"resource", resource}};
  auto done = [&](std::pair<unsigned, string> a) {
    entry["status"] = a.first;
    record(std::move(entry));
    return a;
  };
  if (app_service) {
    // App Service's own texts for these are not documented; the statuses are.
    if (cfg_.identity_header.empty() || req.header("x-identity-header") != cfg_.identity_header)
      return done({401, R"({"statusCode":401,"message":"Unauthorized: X-IDENTITY-HEADER is missing or wrong."})"});
    if (version != "2019-08-01")
      return done({400, R"({"statusCode":400,"message":"Invalid api-version. Use 2019-08-01."})"});
  } else {
    if (req.header("metadata") != "true") return done(imds_error(400, "Required metadata header not specified"));
    if (version.empty()) return done(imds_error(400, "Required query variable 'api-version' is missing"));
  }
  if (resource.empty()) return done(imds_error(400, "Required query variable 'resource' is missing"));
  if (!client.empty() && client != cfg_.managed_identity_client_id) return done(imds_error(400, "Identity not found"));
  string principal = client.empty() ? "system-assigned" : client;
  string token = issue(principal, resource);
  auto expires = std::to_string(epoch(Clock::now()) + cfg_.token_lifetime);
  json::object ok{{"access_token", token}, {"expires_on", expires}, {"resource", resource},
                  {"token_type", "Bearer"}, {"client_id", principal}};
  if (!app_service) {
    ok["expires_in"] = std::to_string(cfg_.token_lifetime);
    ok["ext_expires_in"] = std::to_string(cfg_.token_lifetime);
    ok["not_before"] = std::to_string(epoch(Clock::now()));
  }
  return done({200, json::serialize(ok)});
}

string Entra::issue(const string& principal, const string& resource) {
  string token = "mock-entra-" + random_alnum(40);
  std::lock_guard lock(mu_);
  issued_[token] = Issued{next_serial_++, principal, resource, Clock::now() + std::chrono::seconds(cfg_.token_lifetime)};
  return token;
}

TokenCheck Entra::check(string_view bearer) {
  std::lock_guard lock(mu_);
  auto it = issued_.find(string(bearer));
  if (it == issued_.end()) return {std::nullopt, "unknown token"};
  if (it->second.expires <= Clock::now()) return {std::nullopt, "expired"};
  auto resource = it->second.resource;
  while (resource.ends_with('/')) resource.pop_back();
  if (std::find(cfg_.audiences.begin(), cfg_.audiences.end(), resource) == cfg_.audiences.end())
    return {std::nullopt, "audience " + it->second.resource};
  return {it->second, ""};
}

void Entra::revoke_all() {
  std::lock_guard lock(mu_);
  issued_.clear();
}

void Entra::record(json::object entry) {
  std::lock_guard lock(mu_);
  log_.push_back(std::move(entry));
}

void Entra::clear_log() {
  std::lock_guard lock(mu_);
  log_.clear();
}

string Entra::log_json() {
  std::lock_guard lock(mu_);
  json::array a;
  for (auto& e : log_) a.push_back(e);
  return json::serialize(json::object{{"requests", std::move(a)}, {"issued", next_serial_ - 1}});
}

}  // namespace mock
