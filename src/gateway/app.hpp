// The gateway: routes requests, checks client auth, and hands each route to its handler.
#pragma once

#include "auth/token_cache.hpp"
#include "config/config.hpp"
#include "config/routing.hpp"
#include "core/error.hpp"
#include "core/snapshot.hpp"
#include "exchange/flow.hpp"
#include "gateway/azure_call.hpp"
#include "gateway/health.hpp"
#include "http/server.hpp"
#include "ops/metrics.hpp"
#include "ops/request_record.hpp"
#include "ops/status.hpp"
#include "tokens/calibration.hpp"
#include "tokens/count.hpp"
#include "upstream/client.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace agp::access {
class Access;
}

namespace agp::gateway {

class Recorder;

// What one request did (ops::RequestRecord), filled in as the request goes; its observers —
// the log line, metrics, the status page — read it when the request has ended.
struct RequestLog : ops::RequestRecord {
  // Azure's own counts, when its answer had usage.
  void tokens(bool seen, std::int64_t in, std::int64_t out, std::int64_t cached, std::int64_t reasoning = -1) {
    if (!seen) return;
    tokens_in = in;
    tokens_out = out;
    tokens_cached = cached;
    tokens_reasoning = reasoning;
  }
};

// The caps of MAX_CONNECTIONS, MAX_IN_FLIGHT, MAX_STREAMS and BODY_BUDGET (connections within what
// RLIMIT_NOFILE allows).
http::Admission::Caps admission_caps(const config::Config& cfg);
struct AuthClients {
  AuthClients(const upstream::TlsSettings& tls, upstream::ProxySettings proxy)
      : authority(tls, std::move(proxy)), local(tls) {}
  upstream::Client authority, local;
};

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

  // Every request's record goes, once the request has ended, to each observer in turn: the log
  // line, the metrics, the status page, then those added here (usage accounting). Add them
  // before the server starts; observe() runs on the I/O thread and must not block.
  void add_observer(ops::RequestObserver* o) { observers_.push_back(o); }
  // Team access: keys, budgets and usage accounting (access/). Without it the single
  // ANTHROPIC_AUTH_TOKEN is the client token, as before. Set before the server starts.
  void set_access(std::shared_ptr<access::Access> a) { access_ = std::move(a); }
  // The status document's extra sections (usage per key, …): see ops::StatusBoard::add_section.
  ops::StatusBoard& status_board() { return status_; }
  // The HTTP server's own counts, for /metrics and /status.json (-1 = not known).
  struct ServerCounts {
    std::int64_t requests_in_flight = -1, connections_open = -1;
  };
  void set_server_counts(std::function<ServerCounts()> f) { server_counts_ = std::move(f); }

 private:
  bool authorized(const http::bhttp::fields& headers) const;
  // Who the client is and may they go on: nullopt, with log.key_name set, or the 401 / 429 to send.
  // `counted`: a request that goes to Azure (budgets and rate limits apply).
  std::optional<Error> admit(const http::Request& req, RequestLog& log, exchange::Front front, bool counted);
  // Where a request goes, decided without suspending: its route, its admission, its slot.
  struct Dispatch {
    enum class To { error, messages, count_tokens, chat_completions, models, admin, ops, telemetry } to = To::error;
    exchange::Front front = exchange::Front::anthropic;  // the protocol the client gets errors in
    std::unique_ptr<Error> error;  // (a pointer: this lives in the request's longest frame)
    http::Permit slot;  // one of MAX_IN_FLIGHT, held while a model request is handled
  };
  Dispatch dispatch(const http::Request& req, RequestLog& log);
  // The request has ended: its record goes to the log and to every observer.
  void observe(RequestLog& log, const http::ResponseWriter& res);
  // /health, /ready, /metrics, /status.json and GET / (gateway/ops_routes.cpp).
  static bool is_ops_route(std::string_view path);
  boost::asio::awaitable<void> ops_route(http::Request& req, http::ResponseWriter& res, RequestLog& log);
  std::string not_ready_reason() const;  // "" when ready
  std::vector<ops::DeploymentInfo> deployment_infos() const;
  boost::asio::awaitable<void> count_tokens(http::Request& req, http::ResponseWriter& res, RequestLog& log);
  boost::asio::awaitable<void> models(http::Request& req, http::ResponseWriter& res, const RequestLog& log);
  // The one flow every front end's request goes through (gateway/exchange.cpp). A front end
  // parses and routes without suspending (its coroutine frame holds one pointer while the answer
  // streams); the flow's phases are coroutines of their own, so that a stream open for minutes
  // holds only what relaying its answer needs (the frames of choosing and calling are gone).
  using TargetFor = std::function<exchange::Target(const config::Deployment&)>;
  struct ExchangeCall {
    std::shared_ptr<const conv::Conversation> conv;  // shared by every attempt
    exchange::Spec spec;
    std::shared_ptr<const config::Team> team;  // kept for the whole call, whatever a reload does meanwhile
    std::vector<config::Deployment> candidates;
    TargetFor target_for;
  };
  // What choosing a deployment and calling it left for the answer.
  struct Called {
    bool settled = false;  // the client already has its answer (an error): nothing more to do
    bool passthrough = false;
    bool exact_count = false;
    std::unique_ptr<exchange::Exchange> x;  // as last sent
    std::optional<AzureAnswer> watched;     // nullopt: the client left
    exchange::Spec spec;                    // as last sent
    tokens::ChatCount count;
    std::size_t sent_bytes = 0;
    std::string deployment_key;  // the deployment that answered, for the tokens-per-byte estimate
  };
  // The front end's parse-and-route step, then the call through the flow — or the error it
  // refused the request with. A plain function: the parse result lives on no coroutine frame.
  boost::asio::awaitable<void> exchange_flow(Dispatch::To to, exchange::Front front, http::Request& req,
                                             http::ResponseWriter& res, RequestLog& log);
  // The call through the flow. Its frame lives as long as the answer (minutes for a stream): it
  // holds the exchange and a few words; the phases before the answer are coroutines of their own.
  boost::asio::awaitable<void> run_exchange(http::Request& req, std::unique_ptr<ExchangeCall> call,
                                            http::ResponseWriter& res, RequestLog& log);
  // Choosing a deployment and calling it (failover, learned capabilities); the call is freed
  // when it ends. Never null.
  boost::asio::awaitable<std::unique_ptr<Called>> call_route(const http::Request& req,
                                                             std::unique_ptr<ExchangeCall> call,
                                                             http::ResponseWriter& res, RequestLog& log,
                                                             Recorder* rec);
  // Azure's answer is an error, or a 2xx of the wrong content type: the client's error is sent
  // (and recorded), true. false: the answer can be translated.
  boost::asio::awaitable<bool> refused_answer(exchange::Front front, AzureAnswer& answer, bool stream,
                                              const openai::UpstreamContext& uctx, http::ResponseWriter& res,
                                              RequestLog& log, Recorder* rec);
  boost::asio::awaitable<void> answer_whole(exchange::Exchange& x, upstream::Response& response,
                                            http::ResponseWriter& res, RequestLog& log, Recorder* rec);
  boost::asio::awaitable<void> answer_stream(exchange::Exchange& x, std::unique_ptr<upstream::Response> response,
                                             http::ResponseWriter& res, RequestLog& log, Recorder* rec);
  // The front ends' parse-and-route steps (gateway/messages.cpp, gateway/cursor.cpp): the call,
  // or the error the client gets (already in the request log).
  Result<std::unique_ptr<ExchangeCall>> messages_call(http::Request& req, RequestLog& log);
  Result<std::unique_ptr<ExchangeCall>> chat_completions_call(http::Request& req, RequestLog& log);
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
  // Entra ID tokens: fetched through clients of their own (the authority's with the same TLS and
  // proxy settings, the managed identity endpoint's direct), shared with fetches still running
  // when the App goes away.
  std::shared_ptr<AuthClients> auth_clients_;
  auth::TokenCache tokens_;
  tokens::Calibration calibration_;
  Capabilities capabilities_;
  Health health_;
  std::atomic<std::uint64_t> counted_requests_{0};
  std::atomic<bool> draining_{false};
  Snapshot<const config::Team> team_;
  ops::Metrics metrics_;
  ops::StatusBoard status_;
  std::vector<ops::RequestObserver*> observers_{&metrics_, &status_};
  std::function<ServerCounts()> server_counts_;
  std::shared_ptr<access::Access> access_;
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
// The same, the error kept in the sending coroutine's own frame (for a caller that does not
// keep it: a plain function returning the awaitable).
boost::asio::awaitable<void> send_error_owned(exchange::Front front, http::ResponseWriter& res, Error e,
                                              const std::string& request_id);
// Claude on AI Foundry: the client's body with only `model` set to the deployment, and the headers
// (the deployment's, anthropic-version, anthropic-beta) the Anthropic endpoint is sent.
std::string passthrough_body(std::string_view client_body, const std::string& deployment);
http::Headers passthrough_headers(const http::Request& req, const config::Deployment& d);
// The id headers of every answer: request-id (as Anthropic's API sends it), and x-request-id too
// on the OpenAI routes (as OpenAI's does).
http::Headers id_headers(exchange::Front front, const std::string& id);
// Authorization: Bearer <token>, compared in constant time.
bool bearer_is(const http::Request& req, const std::string& token);
// --log-bodies: one body of the request's exchange in the log (at info), and the client's request
// with its headers, secret ones redacted. Without the flag no body or prompt text is logged.
void log_body(const RequestLog& log, const std::string& what, std::string_view body);
void log_client_request(const RequestLog& log, const http::Request& req);
// Sends an OpenAI-shaped error (Cursor and OpenAI-compatible routes).
boost::asio::awaitable<void> send_openai_error(http::ResponseWriter& res, const Error& e,
                                               const std::string& request_id);

}  // namespace agp::gateway
