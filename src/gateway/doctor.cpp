#include "gateway/doctor.hpp"

#include "auth/fetch.hpp"
#include "auth/token_cache.hpp"

#include "config/routing.hpp"
#include "exchange/flow.hpp"
#include "gateway/app.hpp"
#include "gateway/azure_call.hpp"
#include "openai/azure_errors.hpp"
#include "upstream/resolve.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include <fmt/format.h>

#include <chrono>

namespace agp::gateway {

namespace asio = boost::asio;
namespace json = boost::json;
using Verdict = Check::Verdict;
const std::string kId = "doctor";  // the request id in the log lines of doctor's calls

namespace {

// What Azure said in an error body: its code and message, or the body's start.
struct AzureSaid {
  std::string code, message;
};
AzureSaid azure_said(std::string_view body) {
  AzureSaid out;
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  const json::object* err = nullptr;
  if (!ec && v.is_object())
    if (auto* e = v.as_object().if_contains("error"); e && e->is_object()) err = &e->as_object();
  if (err) {
    if (auto* c = err->if_contains("code"); c && c->is_string()) out.code = std::string(c->as_string());
    if (auto* m = err->if_contains("message"); m && m->is_string()) out.message = std::string(m->as_string());
  } else if (!ec && v.is_object()) {  // APIM: {"statusCode":403,"message":"…"}
    if (auto* m = v.as_object().if_contains("message"); m && m->is_string()) out.message = std::string(m->as_string());
  }
  if (out.message.empty()) out.message = std::string(body.substr(0, 200));
  return out;
}

std::string ms_since(std::chrono::steady_clock::time_point t0) {
  return fmt::format("{:.0f} ms",
                     std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
}

// The tiny request every deployment is asked: parsed by the Anthropic front end and prepared by
// the one exchange flow, so it is exactly what the proxy would send for a real request.
std::string tiny_body(const config::Config& cfg, const config::Team& team, const config::Deployment& d,
                      exchange::Backend backend) {
  static constexpr std::string_view kTiny =
      R"({"model":"doctor","max_tokens":32,"messages":[{"role":"user","content":"Reply with the word OK."}]})";
  auto conv = exchange::parse_client_request(exchange::ClientRequest{exchange::Front::anthropic, kTiny, {}, {}});
  exchange::Spec spec;
  spec.target = target_for(cfg, team, config::Route::Tier::other, d);
  spec.target.backend = backend;
  spec.target.caps = d.capabilities;
  spec.upstream = {d.deployment, team.endpoints[d.endpoint].url};
  auto x = exchange::make_exchange(std::move(*conv), spec);
  return json::serialize(x->prepared.body);
}

class Doctor {
 public:
  Doctor(upstream::Client& client, upstream::Client& local, const config::Config& cfg)
      : client_(client),
        local_(local),
        tokens_([this](const auth::Credential& c) { return auth::fetch_token(client_, local_, c); }),
        cfg_(cfg),
        team_(*cfg.team) {
    cfg_.first_byte_timeout = std::chrono::seconds(30);  // a tiny request answers in seconds
  }

  asio::awaitable<std::vector<Check>> run() {
    add(Verdict::ok, "configuration", "loaded",
        fmt::format("{}: {} endpoint(s), {} deployment(s), {} route(s)", team_.source, team_.endpoints.size(),
                    team_.deployments.size(), team_.routes.size()));
    for (std::size_t i = 0; i < team_.endpoints.size(); ++i) {
      bool reachable = co_await endpoint(team_.endpoints[i]);  // and the credentials accepted
      for (auto& d : team_.deployments)
        if (d.endpoint == i) {
          if (reachable) {
            co_await deployment(d);
          } else {
            add(Verdict::fail, "deployment " + d.name, "not checked",
                "its endpoint " + team_.endpoints[i].name + " cannot be reached or refused the credentials",
                "fix the endpoint first (above)");
          }
        }
    }
    co_return std::move(checks_);
  }

 private:
  void add(Verdict v, std::string subject, std::string what, std::string detail, std::string fix = {}) {
    checks_.push_back(Check{v, std::move(subject), std::move(what), std::move(detail), std::move(fix)});
  }

  bool via_proxy(const std::string& host) const {
    return !cfg_.upstream_proxy.empty() && !upstream::bypasses_proxy(host, cfg_.no_proxy);
  }

  // DNS within the connect timeout.
  asio::awaitable<void> resolves(const config::Endpoint& e, const upstream::Url& url) {
    std::string subject = "endpoint " + e.name;
    if (via_proxy(url.host)) {
      add(Verdict::ok, subject, "address", url.host + " is resolved by the outbound proxy " + cfg_.upstream_proxy);
      co_return;
    }
    constexpr const char* kCheckEndpointUrl =
        "check the endpoint URL: it is shown in the Azure portal on the resource's Keys and Endpoint page "
        "(https://<resource>.openai.azure.com)";
    // getaddrinfo cannot be interrupted: resolve_within stops waiting at the deadline, so an
    // unreachable DNS server fails this check on time instead of hanging the command.
    auto deadline = std::chrono::steady_clock::now() + cfg_.connect_timeout;
    auto found = co_await upstream::resolve_within(url.host, url.port, deadline);
    if (auto* err = std::get_if<TransportError>(&found)) {
      if (std::chrono::steady_clock::now() >= deadline)
        add(Verdict::fail, subject, "address", fmt::format("{} did not resolve in {} s", url.host, cfg_.connect_timeout.count()),
            "check the machine's DNS; a private endpoint needs the VNet's DNS zone privatelink.openai.azure.com");
      else
        add(Verdict::fail, subject, "address", err->detail,
            kCheckEndpointUrl);
      co_return;
    }
    auto& results = std::get<upstream::Endpoints>(found);
    if (results.empty()) {
      add(Verdict::fail, subject, "address", url.host + " resolves to no address",
          kCheckEndpointUrl);
      co_return;
    }
    add(Verdict::ok, subject, "address", url.host + " resolves to " + results.begin()->endpoint().address().to_string());
  }

  // Connection, TLS and auth with one request to a deployment that cannot exist: Azure checks the
  // credentials first, so 404 means they were accepted. False when nothing answered.
  asio::awaitable<bool> endpoint(const config::Endpoint& e) {
    std::string subject = "endpoint " + e.name;
    upstream::Url url;
    if (!upstream::parse_url(e.url, url)) {
      add(Verdict::fail, subject, "URL", "'" + e.url + "' is not an http(s) URL", "write it as https://<resource>.openai.azure.com");
      co_return false;
    }
    co_await resolves(e, url);
    if (checks_.back().verdict == Verdict::fail) co_return false;
    if (e.auth == config::Auth::entra && !co_await entra_token(subject, e)) co_return false;
    openai::UpstreamContext ctx{"agp-doctor-probe", e.url};
    auto t0 = std::chrono::steady_clock::now();
    auto answer = co_await call_azure(client_, tokens_, cfg_, e, e.chat_url("agp-doctor-probe"), ctx, "{}", 0, kId);
    if (answer.transport) {
      co_await transport_failed(subject, e, url, answer);
      co_return false;
    }
    add(Verdict::ok, subject, url.tls ? "connection and TLS" : "connection",
        fmt::format("{}:{} answered HTTP {} in {}", url.host, url.port, answer.upstream_status, ms_since(t0)));
    co_return auth_verdict(subject, e, answer);
  }

  // The Entra ID token, fetched as a request would (the cache then hands it to the probes).
  asio::awaitable<bool> entra_token(const std::string& subject, const config::Endpoint& e) {
    auto t0 = std::chrono::steady_clock::now();
    auto token = co_await tokens_.bearer(e.credential);
    std::string what = "Entra ID token (" + std::string(auth::source_name(e.credential.source)) + ")";
    if (!token) {
      add(Verdict::fail, subject, what, token.error().message, e.credential.hint());
      co_return false;
    }
    add(Verdict::ok, subject, what, "issued for " + e.credential.scope + " in " + ms_since(t0));
    co_return true;
  }

  asio::awaitable<void> transport_failed(const std::string& subject, const config::Endpoint& e,
                                         const upstream::Url& url, const AzureAnswer& answer) {
    std::string detail = answer.error ? answer.error->message : "no answer";
    switch (*answer.transport) {
      case TransportFailure::tls:
        if (detail.find("certificate") != std::string::npos)
          add(Verdict::fail, subject, "TLS", detail,
              "the server's certificate was not accepted. Behind a corporate TLS-inspecting proxy give its CA "
              "certificate with --ca-file; check that the URL's host is the resource's own name");
        else
          add(Verdict::fail, subject, "TLS", detail,
              "no TLS server answered on " + url.host + ":" + url.port + ": check https:// versus http:// and the "
              "port in the endpoint URL");
        break;
      case TransportFailure::connect:
        add(Verdict::fail, subject, "connection", detail,
            fmt::format("nothing answered on {}:{}: check the URL and port, firewalls and the resource's network "
                        "rules; a network that needs an outbound proxy needs HTTPS_PROXY",
                        url.host, url.port));
        break;
      default:
        add(Verdict::fail, subject, "connection", detail, "the endpoint did not answer in time: check " + e.url);
    }
    co_return;
  }

  // False when the credentials were refused: its deployments cannot be checked.
  bool auth_verdict(const std::string& subject, const config::Endpoint& e, const AzureAnswer& answer) {
    std::string how = e.auth == config::Auth::entra ? "Entra ID bearer token"
                      : e.auth == config::Auth::none ? "no credential"
                                                     : e.auth_header;
    unsigned s = answer.upstream_status;
    auto said = azure_said(answer.error_body);
    if (s == 401) {
      add(Verdict::fail, subject, "auth (" + how + ")", "HTTP 401: " + said.message,
          e.auth == config::Auth::entra ? "Azure refused the token: " + e.credential.hint()
          : e.auth_header == "api-key"
              ? "the key was refused: copy KEY 1 from the Azure portal (resource → Keys and Endpoint) into "
                "AZURE_OPENAI_API_KEY, or the endpoint's api_key"
              : "the " + e.auth_header + " value was refused: use an active API Management subscription key "
                "(APIM → Subscriptions)");
    } else if (s == 403) {
      add(Verdict::fail, subject, "auth (" + how + ")", "HTTP 403: " + said.message,
          "the credentials were accepted but access is denied: check the resource's Networking page (public "
          "access, allowed IPs, private endpoint) and the identity's role (Cognitive Services OpenAI User)");
    } else {
      add(Verdict::ok, subject, "auth (" + how + ")", fmt::format("accepted (HTTP {} for a probe deployment)", s));
    }
    return s != 401 && s != 403;
  }

  asio::awaitable<void> deployment(const config::Deployment& d) {
    const auto& e = team_.endpoints[d.endpoint];
    if (d.api == "anthropic") {
      co_await foundry(d, e);
      co_return;
    }
    bool responses = config::serves_responses(d, cfg_);
    co_await ask(d, e, responses ? exchange::Backend::responses : exchange::Backend::chat, true);
    bool cursor = false;
    for (auto i : team_.cursor) cursor |= &team_.deployments[i] == &d;
    if (cursor && !responses) co_await ask(d, e, exchange::Backend::responses, false);
  }

  // One tiny request on `backend`; `main` = the backend its Claude Code requests use.
  asio::awaitable<void> ask(const config::Deployment& d, const config::Endpoint& e, exchange::Backend backend, bool main) {
    std::string subject = "deployment " + d.name;
    bool chat = backend == exchange::Backend::chat;
    std::string what = chat ? "answers (chat completions)" : main ? "answers (Responses API)" : "Responses API (Cursor)";
    if (!chat && !e.responses_api_available()) {
      add(Verdict::fail, subject, what, "api-version " + e.responses_api_version() + " has no Responses API",
          "set responses_api_version: v1 on endpoint " + e.name + " (or AZURE_RESPONSES_API_VERSION=v1)");
      co_return;
    }
    std::string url = chat ? e.chat_url(d.deployment) : e.responses_url();
    openai::UpstreamContext ctx{d.deployment, e.url};
    http::Headers extra(d.headers.begin(), d.headers.end());
    auto t0 = std::chrono::steady_clock::now();
    auto answer = co_await call_azure(client_, tokens_, cfg_, e, url, ctx, tiny_body(cfg_, team_, d, backend), 0, kId, extra);
    verdict(subject, what, d, e, answer, t0);
  }

  asio::awaitable<void> foundry(const config::Deployment& d, const config::Endpoint& e) {
    json::object body{{"model", d.deployment},
                      {"max_tokens", 16},
                      {"messages", json::array{json::object{{"role", "user"}, {"content", "Reply with the word OK."}}}}};
    http::Headers extra(d.headers.begin(), d.headers.end());
    extra.emplace_back("anthropic-version", "2023-06-01");
    openai::UpstreamContext ctx{d.deployment, e.url};
    auto t0 = std::chrono::steady_clock::now();
    auto answer =
        co_await call_azure(client_, tokens_, cfg_, e, e.url + "/anthropic/v1/messages", ctx, json::serialize(body), 0, kId, extra);
    verdict("deployment " + d.name, "answers (Anthropic on Foundry)", d, e, answer, t0);
  }

  void verdict(const std::string& subject, const std::string& what, const config::Deployment& d,
               const config::Endpoint& e, const AzureAnswer& answer, std::chrono::steady_clock::time_point t0) {
    unsigned s = answer.upstream_status;
    auto said = azure_said(answer.error_body);
    bool numeric_code = !said.code.empty() && said.code.find_first_not_of("0123456789") == std::string::npos;
    std::string seen = fmt::format("HTTP {}{}{}", s, said.code.empty() || numeric_code ? "" : " " + said.code,
                                   s >= 300 ? ": " + said.message : " in " + ms_since(t0));
    if (answer.transport) {
      add(Verdict::fail, subject, what, answer.error ? answer.error->message : "no answer",
          "the endpoint answered the probe but not this request: check the deployment's region and quota");
    } else if (s >= 200 && s < 300) {
      add(Verdict::ok, subject, what, seen);
    } else if (s == 404 && said.code == "DeploymentNotFound") {
      add(Verdict::fail, subject, what, seen,
          "deployment '" + d.deployment + "' not found on " + e.url +
              " — deployments are listed in the Azure AI Foundry portal under Deployments; use the deployment's "
              "name, not the model's");
    } else if (s == 404) {
      add(Verdict::fail, subject, what, seen,
          "the path or api-version is unknown to this resource: check api_version (" + e.api_version +
              ") and the endpoint URL's path");
    } else if (s == 429) {
      add(Verdict::warn, subject, what, seen, "it exists but is rate-limited right now: raise its quota (TPM) in the "
                                             "Azure AI Foundry portal or add a second deployment to the route");
    } else if (s == 400 && openai::capability_from_error(answer.error_body)) {
      auto lesson = openai::capability_from_error(answer.error_body);
      add(Verdict::warn, subject, what, seen,
          "the model refuses " + lesson->describe() + "; the proxy learns this from the first such answer, or "
          "state it under the deployment's capabilities in the config file");
    } else if (s == 401 || s == 403) {
      add(Verdict::fail, subject, what, seen, "the credentials are refused for this deployment: check the identity's "
                                             "role on it (Cognitive Services OpenAI User)");
    } else {
      add(Verdict::fail, subject, what, seen, "Azure refused the smallest possible request; its message says why");
    }
  }

  upstream::Client& client_;
  upstream::Client& local_;  // managed-identity endpoints: never through the outbound proxy
  auth::TokenCache tokens_;
  config::Config cfg_;
  const config::Team& team_;
  std::vector<Check> checks_;
};

}  // namespace

asio::awaitable<std::vector<Check>> run_doctor(upstream::Client& client, upstream::Client& local,
                                               const config::Config& cfg) {
  Doctor doctor(client, local, cfg);
  co_return co_await doctor.run();
}

int print_checks(std::ostream& out, const std::vector<Check>& checks, bool color) {
  int failed = 0, warned = 0;
  for (auto& c : checks) {
    const char* mark = c.verdict == Verdict::ok ? "✓" : c.verdict == Verdict::warn ? "!" : "✗";
    const char* on = !color ? "" : c.verdict == Verdict::ok ? "\x1b[32m" : c.verdict == Verdict::warn ? "\x1b[33m" : "\x1b[31m";
    const char* off = color ? "\x1b[0m" : "";
    out << on << mark << off << " " << c.subject << ": " << c.what << " — " << c.detail << "\n";
    if (!c.fix.empty()) out << "    fix: " << c.fix << "\n";
    failed += c.verdict == Verdict::fail;
    warned += c.verdict == Verdict::warn;
  }
  out << fmt::format("doctor: {} checks, {} ✓, {} !, {} ✗\n", checks.size(), checks.size() - failed - warned, warned,
                     failed);
  return failed;
}

int doctor_main(const config::Config& cfg, std::ostream& out) {
  asio::io_context ioc;
  std::unique_ptr<upstream::Client> made, local;
  try {
    upstream::TlsSettings tls{cfg.verify_tls, cfg.ca_file};
    made = std::make_unique<upstream::Client>(tls, upstream::ProxySettings{cfg.upstream_proxy, cfg.no_proxy});
    local = std::make_unique<upstream::Client>(tls);
  } catch (const std::exception& e) {  // a CA file without certificates
    out << "✗ configuration: TLS — " << e.what() << "\n    fix: give --ca-file a PEM file of CA certificates\n";
    return 1;
  }
  auto& client = *made;
  std::vector<Check> checks;
  asio::co_spawn(ioc, run_doctor(client, *local, cfg), [&](std::exception_ptr ep, std::vector<Check> result) {
    if (ep) {
      try {
        std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        result.push_back(Check{Verdict::fail, "doctor", "ran", e.what(), "report this as a bug"});
      }
    }
    checks = std::move(result);
  });
  ioc.run();
  return print_checks(out, checks, false) > 0 ? 1 : 0;
}

}  // namespace agp::gateway
