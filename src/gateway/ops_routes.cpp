// The operations routes: /health (liveness), /ready (readiness), /metrics (Prometheus),
// /status.json and the status page at GET / (for browsers; API clients keep the health JSON).
// /metrics and /status.json share one guard, METRICS_TOKEN, when it is set; none of them ever
// shows a secret or prompt text.
#include "gateway/app.hpp"
#include "ops/logging.hpp"
#include "ops/status_page.hpp"

#include <boost/json/serialize.hpp>

namespace agp::gateway {

namespace {

bool wants_html(const http::Request& req) { return req.header("accept").find("text/html") != std::string_view::npos; }

}  // namespace

bool App::is_ops_route(std::string_view path) {
  return path == "/" || path == "/health" || path == "/cursor/health" || path == "/ready" || path == "/metrics" ||
         path == "/status.json";
}

std::string App::not_ready_reason() const {
  if (draining_.load()) return "draining";
  auto team = this->team();
  if (team->deployments.empty()) return "no deployments configured";
  auto states = health_.snapshot();
  auto now = Health::Clock::now();
  for (auto& d : team->deployments) {
    auto it = states.find(d.name);
    if (it == states.end() || Health::circuit_at(it->second, now) != Health::Circuit::open) return "";
  }
  return "every deployment's circuit is open";
}

std::vector<ops::DeploymentInfo> App::deployment_infos() const {
  auto team = this->team();
  auto states = health_.snapshot();
  auto now = Health::Clock::now();
  auto seconds_until = [&](Health::Clock::time_point t) {
    return t > now ? std::chrono::duration<double>(t - now).count() : 0.0;
  };
  std::vector<ops::DeploymentInfo> out;
  for (auto& d : team->deployments) {
    ops::DeploymentInfo info;
    info.health.deployment = d.name;
    info.azure_deployment = d.deployment;
    info.endpoint = team->endpoints[d.endpoint].name;
    info.api = d.api;
    info.priority = d.priority;
    info.weight = d.weight;
    if (auto it = states.find(d.name); it != states.end()) {
      auto& s = it->second;
      auto circuit = Health::circuit_at(s, now);
      info.health.circuit = Health::name(circuit);
      info.health.circuit_open_s = circuit == Health::Circuit::open ? seconds_until(s.open_until) : 0;
      info.health.cool_down_s = seconds_until(s.cool_until);
      info.health.in_flight = s.in_flight;
      info.health.consecutive_failures = s.consecutive_failures;
      info.health.circuit_opens = s.opens;
      info.health.cool_downs = s.cool_downs;
    }
    out.push_back(std::move(info));
  }
  return out;
}

boost::asio::awaitable<void> App::ops_route(http::Request& req, http::ResponseWriter& res, RequestLog& log) {
  auto path = req.target_path();
  auto method = req.message.method();
  http::Headers headers = id_headers(exchange::Front::anthropic, log.id);
  if (method != http::bhttp::verb::get && method != http::bhttp::verb::head) {
    Error e{405, ErrorKind::invalid_request, "use GET for " + std::string(path), {}};
    co_await send_anthropic_error(res, e, log.id);
    co_return;
  }
  if (path == "/" && wants_html(req)) {
    // The page holds no data: it fetches /status.json (with the token from its #token= fragment).
    headers.emplace_back("cache-control", "no-store");
    headers.emplace_back("x-content-type-options", "nosniff");
    headers.emplace_back("content-security-policy",
                         "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                         "connect-src 'self'; img-src data:; frame-ancestors 'none'");
    std::string page(ops::kStatusPageHtml);
    co_await res.send(200, "text/html; charset=utf-8", std::move(page), headers);
    co_return;
  }
  if (path == "/" || path == "/health" || path == "/cursor/health") {  // liveness: the process serves
    std::string body = R"({"status":"ok","service":"azure-gpt-proxy","version":")" AGP_VERSION R"("})";
    co_await res.send(200, "application/json", std::move(body), headers);
    co_return;
  }
  std::string reason = not_ready_reason();
  if (path == "/ready") {
    boost::json::object o{{"status", reason.empty() ? "ready" : reason == "draining" ? "draining" : "unavailable"}};
    if (!reason.empty()) o["reason"] = reason;
    std::string body = boost::json::serialize(o);
    co_await res.send(reason.empty() ? 200 : 503, "application/json", std::move(body), headers);
    co_return;
  }
  if (!cfg_.metrics_token.empty() && !bearer_is(req, cfg_.metrics_token)) {
    Error e{401, ErrorKind::authentication,
            "this route needs Authorization: Bearer <METRICS_TOKEN of the proxy>", {}};
    co_await send_anthropic_error(res, e, log.id);
    co_return;
  }
  auto server = server_counts_ ? server_counts_() : ServerCounts{};
  auto deployments = deployment_infos();
  if (path == "/metrics") {
    ops::Gauges g;
    for (auto& d : deployments) g.deployments.push_back(d.health);
    g.requests_in_flight = server.requests_in_flight;
    g.connections_open = server.connections_open;
    g.ready = reason.empty();
    g.log_dropped = ops::log_messages_dropped();
    std::string body = metrics_.render(g);
    co_await res.send(200, ops::Metrics::kContentType, std::move(body), headers);
    co_return;
  }
  ops::StatusInputs in;  // /status.json
  in.deployments = std::move(deployments);
  auto team = this->team();
  for (auto& r : team->routes) {
    ops::RouteInfo info{r.pattern, {}};
    for (auto i : r.deployments) info.deployments.push_back(team->deployments[i].name);
    in.routes.push_back(std::move(info));
  }
  if (!team->cursor.empty()) {
    ops::RouteInfo info{"gpt-high|gpt-medium|gpt-low|gpt-minimal (cursor)", {}};
    for (auto i : team->cursor) info.deployments.push_back(team->deployments[i].name);
    in.routes.push_back(std::move(info));
  }
  in.config_source = team->source;
  in.ready = reason.empty();
  in.not_ready_reason = reason;
  in.requests_in_flight = server.requests_in_flight;
  in.streams_in_flight = metrics_.streams_in_flight().load();
  headers.emplace_back("cache-control", "no-store");
  std::string body = boost::json::serialize(status_.document(in));
  co_await res.send(200, "application/json", std::move(body), headers);
}

}  // namespace agp::gateway
