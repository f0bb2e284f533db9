#include "auth/fetch.hpp"

#include "auth/assertion.hpp"

#include <spdlog/spdlog.h>

#include <cctype>
#include <fstream>
#include <sstream>

namespace agp::auth {

namespace {

Error failed(const Credential& c, const std::string& detail) {
  auto code = aadsts_code(detail);
  spdlog::warn("no Entra ID token for {} from the {}{}", c.scope, c.describe(), code.empty() ? "" : " (" + code + ")");
  return Error{500, ErrorKind::upstream_auth, c.describe() + ": " + detail + " (" + c.hint() + ")", {}};
}

// The federated token is re-read for every fetch: the kubelet rotates the file.
Result<std::string> federated_token(const Credential& c) {
  std::ifstream in(c.federated_token_file);
  std::stringstream ss;
  if (in) ss << in.rdbuf();
  std::string t = ss.str();
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  if (!in || t.empty()) return failed(c, "the federated token file cannot be read or is empty");
  return t;
}

Result<std::string> assertion_for(const Credential& c) {
  if (c.source == Source::client_certificate) {
    auto a = client_assertion(c, Clock::now());
    if (!a) return failed(c, a.error().message);
    return a;
  }
  if (c.source == Source::workload_identity) return federated_token(c);
  return std::string();
}

}  // namespace

boost::asio::awaitable<Result<Token>> fetch_token(upstream::Client& authority, upstream::Client& local,
                                                  const Credential& c) {
  auto assertion = assertion_for(c);
  if (!assertion) co_return assertion.error();
  TokenRequest tr = token_request(c, *assertion);
  upstream::Request req;
  if (!upstream::parse_url(tr.url, req.url)) co_return failed(c, "the token URL " + tr.url + " is malformed");
  req.method = tr.post ? upstream::bhttp::verb::post : upstream::bhttp::verb::get;
  req.headers = tr.headers;
  req.body = std::move(tr.body);
  // A managed identity endpoint answers at once where it exists; off Azure IMDS does not answer.
  upstream::Timeouts timeouts{std::chrono::seconds(c.managed_identity() ? 3 : 10), std::chrono::seconds(30),
                              std::chrono::seconds(30)};
  auto& client = c.managed_identity() ? local : authority;
  auto sent = co_await client.send(req, timeouts);
  if (auto* te = std::get_if<upstream::TransportError>(&sent))
    co_return failed(c, "cannot reach " + req.url.key() + ": " + te->detail);
  auto resp = std::move(std::get<std::unique_ptr<upstream::Response>>(sent));
  auto body = co_await resp->read_all(1 << 20);
  if (auto* te = std::get_if<upstream::TransportError>(&body))
    co_return failed(c, "the answer from " + req.url.key() + " broke off: " + te->detail);
  auto now = Clock::now();
  auto token = parse_token_response(resp->status(), std::get<std::string>(body), now);
  if (!token) co_return failed(c, token.error().message);
  auto valid = std::chrono::duration_cast<std::chrono::seconds>(token->expires_on - now).count();
  auto renew = std::chrono::duration_cast<std::chrono::seconds>(token->refresh_at - now).count();
  spdlog::info("Entra ID token for {} from the {}: valid {} s, renewed after {} s", c.scope, c.describe(), valid, renew);
  co_return token;
}

}  // namespace agp::auth
