// The gateway: routes requests, checks client auth, and hands each route to its handler.
#pragma once

#include "config/config.hpp"
#include "config/routing.hpp"
#include "core/error.hpp"
#include "exchange/flow.hpp"
#include "gateway/azure_call.hpp"
#include "gateway/health.hpp"
#include "http/server.hpp"
#include "tokens/calibration.hpp"
#include "tokens/count.hpp"
#include "upstream/client.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace agp::gateway {

// What one request did, for its single log line.
struct RequestLog {
  std::string id;  // req_…
  std::string route;
  std::string remote;  // the client's ip:port
  std::string client_model, deployment;
  unsigned status = 0;
  bool stream = false;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double upstream_ms = -1, ttft_ms = -1;
  std::int64_t tokens_in = -1, tokens_out = -1, tokens_cached = -1;
  std::int64_t tokens_local = -1;  // our own count of the prompt, for calibration
  double count_error = 0;          // (local − Azure) / Azure, when both are known
  std::string error;
  std::int64_t tokens_quick = -1;  // the quick estimate, when the request was not counted exactly
  void write(std::uint64_t bytes_out) const;
  // Azure's own counts, when its answer had usage.
  void tokens(bool seen, std::int64_t in, std::int64_t out, std::int64_t cached) {
    if (!seen) return;
    tokens_in = in;
    tokens_out = out;
    tokens_cached = cached;
  }
  double since_start_ms() const;
};

// The caps of MAX_CONNECTIONS, MAX_IN_FLIGHT, MAX_STREAMS and BODY_BUDGET (connections within what
// RLIMIT_NOFILE allows).
http::Admission::Caps admission_caps(const config::Config& cfg);

class App {
 public:
  // `admission` is shared with the HTTP server (connections, request bodies); one is made from
  // the configuration when none is given.
  explicit App(config::Config cfg, std::shared_ptr<http::Admission> admission = nullptr);
  boost::asio::awaitable<void> handle(http::Request& req, http::ResponseWriter& res);
  // The server's Screen: a model request with a wrong token is refused before its body is read.
  std::optional<http::Rejection> screen(const http::bhttp::request_header<>& header) const;
  // Counters and caps for metrics: connections, requests and streams in flight, buffered bytes,
  // refusals (http::Admission::snapshot), and per deployment in flight / full (Health::snapshot).
  const http::Admission& admission() const { return *admission_; }
  const Health& health() const { return health_; }
  const config::Config& config() const { return cfg_; }
  // SIGTERM: /ready answers 503 so a load balancer stops sending while answers in flight finish.
  void set_draining() { draining_ = true; }
  // SIGHUP: reads the config file again; a valid one replaces the routing for new requests
  // (requests in flight keep the one they started with), an invalid one is logged and ignored.
  void reload(const config::Env& env);
  std::shared_ptr<const config::Team> team() const { return team_.load(); }

 private:
  bool authorized(const http::bhttp::fields& headers) const;
  boost::asio::awaitable<void> messages(http::Request& req, http::ResponseWriter& res, RequestLog& log);
  boost::asio::awaitable<void> count_tokens(http::Request& req, http::ResponseWriter& res, RequestLog& log);
  boost::asio::awaitable<void> chat_completions(http::Request& req, http::ResponseWriter& res, RequestLog& log);
  boost::asio::awaitable<void> models(http::Request& req, http::ResponseWriter& res);
  // The one flow every front end's request goes through (gateway/exchange.cpp).
  using TargetFor = std::function<exchange::Target(const config::Deployment&)>;
  boost::asio::awaitable<void> run_exchange(const http::Request& req, conv::Conversation conv, exchange::Spec spec,
                                            std::shared_ptr<const config::Team> team,
                                            std::vector<config::Deployment> candidates, TargetFor target_for,
                                            http::ResponseWriter& res, RequestLog& log);
  // Claude on AI Foundry: the Anthropic endpoint's answer (or error) goes to the client unmodified.
  boost::asio::awaitable<void> relay_passthrough(std::optional<AzureAnswer> watched, bool stream,
                                                 http::ResponseWriter& res, RequestLog& log);
  exchange::Target target_for(const config::Team& team, const config::Route& route, const config::Deployment& d) const;
  // The calibrated local count of the Chat body for `c` (prepared when not given).
  std::int64_t estimate_prompt(const conv::Conversation& c, const exchange::Target& t,
                               const exchange::Prepared* chat_prepared, tokens::ChatCount* count);

  config::Config cfg_;
  std::shared_ptr<http::Admission> admission_;
  upstream::Client client_;
  tokens::Calibration calibration_;
  Capabilities capabilities_;
  Health health_;
  std::atomic<std::uint64_t> counted_requests_{0};
  std::atomic<bool> draining_{false};
  std::atomic<std::shared_ptr<const config::Team>> team_;
};

// How a deployment is asked: its backend, reasoning, api-version, the tier's effort.
exchange::Target target_for(const config::Config& cfg, const config::Team& team, config::Route::Tier tier,
                            const config::Deployment& d);
// Sends an Anthropic-shaped error (before the stream started).
boost::asio::awaitable<void> send_anthropic_error(http::ResponseWriter& res, const Error& e,
                                                  const std::string& request_id);
// Sends an error in the front end's own shape.
boost::asio::awaitable<void> send_error(exchange::Front front, http::ResponseWriter& res, const Error& e,
                                        const std::string& request_id);
// Claude on AI Foundry: the client's body with only `model` set to the deployment, and the headers
// (the deployment's, anthropic-version, anthropic-beta) the Anthropic endpoint is sent.
std::string passthrough_body(std::string_view client_body, const std::string& deployment);
http::Headers passthrough_headers(const http::Request& req, const config::Deployment& d);
// Sends an OpenAI-shaped error (Cursor and OpenAI-compatible routes).
boost::asio::awaitable<void> send_openai_error(http::ResponseWriter& res, const Error& e,
                                               const std::string& request_id);

}  // namespace agp::gateway
