#include "gateway/app.hpp"

#include "access/access.hpp"
#include "gateway/admin_routes.hpp"

#include "anthropic/errors.hpp"
#include "auth/fetch.hpp"
#include "core/ids.hpp"
#include "gateway/refusals.hpp"
#include "ops/logging.hpp"
#include "record/recording.hpp"

#include <spdlog/spdlog.h>

namespace agp::gateway {

http::Admission::Caps admission_caps(const config::Config& cfg) {
  auto connections = std::min<std::uint64_t>(cfg.max_connections, http::connection_limit_from_fds());
  return {connections, cfg.max_in_flight, cfg.max_streams, cfg.body_budget};
}

App::App(config::Config cfg, std::shared_ptr<http::Admission> admission)
    : cfg_(std::move(cfg)),
      admission_(admission ? std::move(admission) : std::make_shared<http::Admission>(admission_caps(cfg_))),
      client_(upstream::TlsSettings{cfg_.verify_tls, cfg_.ca_file},
              upstream::ProxySettings{cfg_.upstream_proxy, cfg_.no_proxy}),
      auth_clients_(std::make_shared<AuthClients>(upstream::TlsSettings{cfg_.verify_tls, cfg_.ca_file},
                                                  upstream::ProxySettings{cfg_.upstream_proxy, cfg_.no_proxy})),
      tokens_([clients = auth_clients_](const auth::Credential& c) {
        return auth::fetch_token(clients->authority, clients->local, c);
      }),
      health_(cfg_.circuit_failures, cfg_.circuit_cooldown) {
  for (auto& [deployment, caps] : cfg_.capabilities) capabilities_.configure(deployment, caps);
  for (auto& d : cfg_.team->deployments) capabilities_.configure(d.name, d.capabilities);
  team_.store(cfg_.team);
}

void App::reload(const config::Env& env) {
  if (cfg_.config_file.empty()) {
    spdlog::info("SIGHUP: no config file to reload (environment set-up)");
    return;
  }
  try {
    auto team = std::make_shared<const config::Team>(config::load_team_file(cfg_.config_file, env));
    for (auto& d : team->deployments) capabilities_.configure(d.name, d.capabilities);
    team_.store(team);
    spdlog::info("SIGHUP: {} reloaded: {} endpoints, {} deployments, {} routes", cfg_.config_file,
                 team->endpoints.size(), team->deployments.size(), team->routes.size());
  } catch (const config::TeamError& e) {
    spdlog::error("SIGHUP: {} not reloaded, the configuration in use stays: {}", cfg_.config_file, e.what());
  }
}

bool bearer_is(const http::Request& req, const std::string& token) {
  auto auth = req.header("authorization");
  return auth.size() > 7 && (auth.starts_with("Bearer ") || auth.starts_with("bearer ")) &&
         constant_time_equal(auth.substr(7), token);
}

bool App::authorized(const http::bhttp::fields& headers) const {
  auto value = [&](const char* name) {
    auto v = headers[name];
    return std::string_view(v.data(), v.size());
  };
  if (access_)
    return !access_->identify(access::presented_token(value("x-api-key"), value("authorization")),
                              std::chrono::system_clock::now())
                .empty();
  if (cfg_.auth_token.empty()) return true;
  auto key = value("x-api-key");
  if (!key.empty() && constant_time_equal(key, cfg_.auth_token)) return true;
  auto auth = value("authorization");
  if (auth.size() > 7 && (auth.starts_with("Bearer ") || auth.starts_with("bearer ")))
    return constant_time_equal(auth.substr(7), cfg_.auth_token);
  return false;
}

http::Headers id_headers(exchange::Front front, const std::string& id) {
  http::Headers h{{"request-id", id}};
  if (front != exchange::Front::anthropic) h.emplace_back("x-request-id", id);
  return h;
}

void log_body(const RequestLog& log, const std::string& what, std::string_view body) {
  ops::request_log(spdlog::level::info, log.id, "{}: {}", what, body);
}

void log_client_request(const RequestLog& log, const http::Request& req) {
  std::string headers;
  for (auto& f : req.message) {
    std::string name(f.name_string());
    headers += headers.empty() ? "" : ", ";
    headers += name;
    headers += ": ";
    headers += record::is_secret_header(name) ? std::string("<redacted>") : std::string(f.value());
  }
  ops::request_log(spdlog::level::info, log.id, "client request headers: {}", headers);
  log_body(log, "client request body", req.message.body());
}

void App::observe(RequestLog& log, const http::ResponseWriter& res) {
  log.status = res.status();
  if (log.status == 0 && !res.alive()) log.status = 499;  // client closed the request (nginx's code)
  log.total_ms = log.since_start_ms();
  log.bytes_out = res.bytes_written();
  ops::write_request_line(log);
  for (auto* o : observers_) o->observe(log);
}

namespace {
const char* const kAnthropicAuth = "invalid x-api-key or Authorization bearer token (ANTHROPIC_AUTH_TOKEN of the proxy)";
const char* const kOpenAIAuth = "invalid API key: use the proxy's ANTHROPIC_AUTH_TOKEN as the OpenAI API key";

const char* const kAnthropicKeyAuth =
    "invalid, revoked or expired key in x-api-key / Authorization: Bearer (ANTHROPIC_AUTH_TOKEN): ask for an agp- key";
const char* const kOpenAIKeyAuth = "invalid, revoked or expired API key: use your agp- key as the OpenAI API key";

bool model_route(std::string_view path) {
  return path == "/v1/messages" || path == "/v1/messages/count_tokens" || path == "/cursor/chat/completions" ||
         path == "/cursor/v1/chat/completions" || path == "/v1/chat/completions";
}
}  // namespace

std::optional<Error> App::admit(const http::Request& req, RequestLog& log, exchange::Front front, bool counted) {
  const char* wrong = front == exchange::Front::anthropic ? kAnthropicAuth : kOpenAIAuth;
  if (!access_) {
    if (authorized(req.message)) return std::nullopt;
    return Error{401, ErrorKind::authentication, wrong, {}};
  }
  if (auto session = req.header("x-claude-code-session-id"); session.size() <= 128) log.session = session;
  auto a = access_->admit(access::presented_token(req.header("x-api-key"), req.header("authorization")), counted,
                          std::chrono::system_clock::now());
  log.key_name = a.key_name;
  switch (a.verdict) {
    case access::Admission::Verdict::ok:
      return std::nullopt;
    case access::Admission::Verdict::limited:
      log.error = a.exceeded->limit;
      return Error{429, ErrorKind::rate_limit, a.message, std::to_string(a.exceeded->retry_after_s)};
    case access::Admission::Verdict::unauthorized:
      break;
  }
  return Error{401, ErrorKind::authentication, front == exchange::Front::anthropic ? kAnthropicKeyAuth : kOpenAIKeyAuth,
               {}};
}

std::optional<http::Rejection> App::screen(const http::bhttp::request_header<>& header) const {
  std::string_view target(header.target().data(), header.target().size());
  auto path = target.substr(0, target.find('?'));
  if (!model_route(path) || authorized(header)) return std::nullopt;
  auto front = front_of(path);
  bool anthropic = front == exchange::Front::anthropic;
  Error e{401, ErrorKind::authentication,
          access_ ? (anthropic ? kAnthropicKeyAuth : kOpenAIKeyAuth) : (anthropic ? kAnthropicAuth : kOpenAIAuth), {}};
  auto given = header["x-request-id"];
  auto id = request_id_for(std::string_view(given.data(), given.size()));
  spdlog::info("{} {} {} status=401 error=\"wrong token; the body was not read\"", id,
               std::string(header.method_string()), std::string(path));
  return error_reply(front, e, id);
}

boost::asio::awaitable<void> send_anthropic_error(http::ResponseWriter& res, const Error& e,
                                                  const std::string& request_id) {
  // GCC 12 destroys temporaries in a co_await expression twice: pass named values only.
  auto reply = error_reply(exchange::Front::anthropic, e, request_id);
  co_await res.send(reply.status, "application/json", std::move(reply.body), reply.headers);
}

App::Dispatch App::dispatch(const http::Request& req, RequestLog& log) {
  using To = Dispatch::To;
  log.id = request_id_for(req.header("x-request-id"));
  auto path = req.target_path();
  auto method = req.message.method();
  log.route = std::string(req.message.method_string()) + " " + std::string(path);
  log.remote = req.remote;
  Dispatch d;
  auto refuse = [&](exchange::Front front, Error e) {
    d.to = To::error;
    d.front = front;
    d.error = std::make_unique<Error>(std::move(e));
    return std::move(d);
  };
  // A model request holds one of MAX_IN_FLIGHT slots while it is handled.
  auto model_request = [&](exchange::Front front, bool counted, To to) {
    log.endpoint = path;
    if (method != http::bhttp::verb::post)
      return refuse(front, Error{405, ErrorKind::invalid_request, "use POST for " + std::string(path), {}});
    if (auto refused = admit(req, log, front, counted)) return refuse(front, *refused);
    if (!(d.slot = admission_->requests.try_take())) {
      log.error = "at MAX_IN_FLIGHT";
      return refuse(front, busy("the proxy has MAX_IN_FLIGHT (" + std::to_string(admission_->requests.cap()) +
                                ") requests in flight; retry shortly"));
    }
    d.to = to;
    d.front = front;
    return std::move(d);
  };
  if (path == "/v1/messages") return model_request(exchange::Front::anthropic, true, To::messages);
  if (path == "/v1/messages/count_tokens") return model_request(exchange::Front::anthropic, false, To::count_tokens);
  if (path == "/cursor/chat/completions" || path == "/cursor/v1/chat/completions" || path == "/v1/chat/completions")
    return model_request(exchange::Front::openai_chat, true, To::chat_completions);
  if ((path == "/cursor/models" || path == "/cursor/v1/models" || path == "/v1/models") &&
      method == http::bhttp::verb::get) {
    log.endpoint = path;
    if (auto refused = admit(req, log, exchange::Front::openai_chat, false))
      return refuse(exchange::Front::openai_chat, *refused);
    log.quiet = true;
    d.to = To::models;
    return d;
  }
  if (path.starts_with("/admin/")) {
    log.endpoint = "/admin/";
    d.to = To::admin;
    return d;
  }
  if (is_ops_route(path)) {
    log.endpoint = path;
    log.quiet = true;
    d.to = To::ops;
    return d;
  }
  if (path.starts_with("/api/event_logging/") || path.starts_with("/api/claude_code/")) {
    // Claude Code's telemetry side traffic: acknowledge quietly instead of 404s every few seconds.
    log.endpoint = path.starts_with("/api/event_logging/") ? "/api/event_logging/" : "/api/claude_code/";
    log.quiet = true;
    d.to = To::telemetry;
    return d;
  }
  return refuse(exchange::Front::anthropic,
                Error{404, ErrorKind::not_found,
                      "no route for " + std::string(req.message.method_string()) + " " + std::string(path), {}});
}

namespace {
boost::asio::awaitable<void> acknowledge(http::ResponseWriter& res, const RequestLog& log) {
  std::string body = "{}";
  http::Headers headers = id_headers(exchange::Front::anthropic, log.id);
  co_await res.send(200, "application/json", std::move(body), headers);
}
}  // namespace

// Routing and admission run without suspending (dispatch), so that this frame, which lives as
// long as the request — minutes for a stream — holds the request's record and little else.
boost::asio::awaitable<void> App::handle(http::Request& req, http::ResponseWriter& res) {
  using To = Dispatch::To;
  RequestLog log;
  Dispatch d = dispatch(req, log);
  const bool model_request = d.to == To::messages || d.to == To::count_tokens || d.to == To::chat_completions;
  if (model_request && cfg_.log_bodies) log_client_request(log, req);
  // The MAX_IN_FLIGHT slot goes as the answer's last write starts: a client acting on the answer
  // (its next request, on another connection) does not find it still taken.
  if (d.slot) res.hold_until_answered(std::move(d.slot));
  switch (d.to) {
    case To::error:
      co_await send_error(d.front, res, *d.error, log.id);
      break;
    case To::messages:
    case To::chat_completions:  // the one exchange flow, after the front end's parse and route
      co_await exchange_flow(d.to, d.front, req, res, log);
      break;
    case To::count_tokens:
      co_await count_tokens(req, res, log);
      break;
    case To::models:
      co_await models(req, res, log);
      break;
    case To::admin:
      co_await admin_route(cfg_, access_.get(), req, res, log);
      break;
    case To::ops:
      co_await ops_route(req, res, log);
      break;
    case To::telemetry:
      co_await acknowledge(res, log);
      break;
  }
  observe(log, res);
}

}  // namespace agp::gateway
