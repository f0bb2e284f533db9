#include "gateway/app.hpp"

#include "anthropic/errors.hpp"
#include "core/ids.hpp"
#include "ops/logging.hpp"
#include "record/recording.hpp"

#include <spdlog/spdlog.h>

namespace agp::gateway {

App::App(config::Config cfg)
    : cfg_(std::move(cfg)),
      client_(cfg_.verify_tls, upstream::ProxySettings{cfg_.upstream_proxy, cfg_.no_proxy}),
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

bool App::authorized(const http::Request& req) const {
  if (cfg_.auth_token.empty()) return true;
  auto key = req.header("x-api-key");
  if (!key.empty() && constant_time_equal(key, cfg_.auth_token)) return true;
  return bearer_is(req, cfg_.auth_token);
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

boost::asio::awaitable<void> send_anthropic_error(http::ResponseWriter& res, const Error& e,
                                                  const std::string& request_id) {
  http::Headers h = id_headers(exchange::Front::anthropic, request_id);
  if (e.retry_after) h.emplace_back("retry-after", *e.retry_after);
  // Client errors will fail the same way again; tell the SDKs not to retry them.
  if (e.status >= 400 && e.status < 500 && e.status != 429 && e.status != 408)
    h.emplace_back("x-should-retry", "false");
  // GCC 12 destroys temporaries in a co_await expression twice: pass named values only.
  std::string body = anthropic::error_json(e, request_id);
  co_await res.send(anthropic::error_status(e), "application/json", std::move(body), h);
}

boost::asio::awaitable<void> App::handle(http::Request& req, http::ResponseWriter& res) {
  RequestLog log;
  log.id = request_id_for(req.header("x-request-id"));
  auto path = req.target_path();
  auto method = req.message.method();
  log.route = std::string(req.message.method_string()) + " " + std::string(path);
  log.remote = req.remote;

  if (path == "/v1/messages" || path == "/v1/messages/count_tokens") {
    log.endpoint = path;
    if (method != http::bhttp::verb::post) {
      Error e{405, ErrorKind::invalid_request, "use POST for " + std::string(path), {}};
      co_await send_anthropic_error(res, e, log.id);
    } else if (!authorized(req)) {
      Error e{401,
              ErrorKind::authentication,
              "invalid x-api-key or Authorization bearer token (ANTHROPIC_AUTH_TOKEN of the proxy)",
              {}};
      co_await send_anthropic_error(res, e, log.id);
    } else if (path == "/v1/messages") {
      if (cfg_.log_bodies) log_client_request(log, req);
      co_await messages(req, res, log);
    } else {
      if (cfg_.log_bodies) log_client_request(log, req);
      co_await count_tokens(req, res, log);
    }
  } else if (path == "/cursor/chat/completions" || path == "/cursor/v1/chat/completions" ||
             path == "/v1/chat/completions") {
    log.endpoint = path;
    if (method != http::bhttp::verb::post) {
      Error e{405, ErrorKind::invalid_request, "use POST for " + std::string(path), {}};
      co_await send_openai_error(res, e, log.id);
    } else if (!authorized(req)) {
      Error e{401,
              ErrorKind::authentication,
              "invalid API key: use the proxy's ANTHROPIC_AUTH_TOKEN as the OpenAI API key",
              {}};
      co_await send_openai_error(res, e, log.id);
    } else {
      if (cfg_.log_bodies) log_client_request(log, req);
      co_await chat_completions(req, res, log);
    }
  } else if ((path == "/cursor/models" || path == "/cursor/v1/models" || path == "/v1/models") &&
             method == http::bhttp::verb::get) {
    log.endpoint = path;
    if (!authorized(req)) {
      Error e{401,
              ErrorKind::authentication,
              "invalid API key: use the proxy's ANTHROPIC_AUTH_TOKEN as the OpenAI API key",
              {}};
      co_await send_openai_error(res, e, log.id);
    } else {
      log.quiet = true;
      co_await models(req, res, log);
    }
  } else if (is_ops_route(path)) {
    log.endpoint = path;
    log.quiet = true;
    co_await ops_route(req, res, log);
  } else if (path.starts_with("/api/event_logging/") || path.starts_with("/api/claude_code/")) {
    // Claude Code's telemetry side traffic: acknowledge quietly instead of 404s every few seconds.
    log.endpoint = path.starts_with("/api/event_logging/") ? "/api/event_logging/" : "/api/claude_code/";
    log.quiet = true;
    std::string body = "{}";
    http::Headers headers = id_headers(exchange::Front::anthropic, log.id);
    co_await res.send(200, "application/json", std::move(body), headers);
  } else {
    Error e{404,
            ErrorKind::not_found,
            "no route for " + std::string(req.message.method_string()) + " " + std::string(path),
            {}};
    co_await send_anthropic_error(res, e, log.id);
  }
  observe(log, res);
}

}  // namespace agp::gateway
