// What one request did, in protocol-free terms, and the interface of those who read it when the
// request has ended: the request log line, the metrics, the status page (and usage accounting).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agp::ops {

// Something that happened on the way to Azure: a retry, a failover, a capability resend.
struct UpstreamEvent {
  std::string deployment;  // the deployment's id in the configuration
  std::string reason;      // http_429, connect, circuit_open, max_output_tokens, …
};

struct RequestRecord {
  std::string id;      // the request id: the client's x-request-id when valid, else req_…
  std::string route;   // "POST /v1/messages", as asked
  std::string endpoint = "other";  // the proxy's route that served it ("/v1/messages"), for labels
  std::string remote;  // the client's ip:port
  std::string key_name;  // team access: the client key's name, "(shared token)", or "" without a database
  std::string session;   // Claude Code's X-Claude-Code-Session-Id
  std::string client_model;
  std::string deployment;     // the Azure deployment name
  std::string deployment_id;  // the deployment's id in the configuration (labels, health)
  unsigned status = 0;
  bool stream = false;
  bool quiet = false;  // probes and side traffic: no info log line
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double upstream_ms = -1, ttft_ms = -1, total_ms = -1;
  std::int64_t tokens_in = -1, tokens_out = -1, tokens_cached = -1, tokens_reasoning = -1;
  std::int64_t tokens_local = -1;     // our own exact count of the prompt, for calibration
  std::int64_t tokens_quick = -1;     // the quick estimate, when the request was not counted exactly
  std::optional<double> count_error;  // (local − Azure) / Azure, when both are known
  std::uint64_t bytes_out = 0;
  std::string error;             // what went wrong, never prompt text
  std::string azure_request_id;  // Azure's apim-request-id / x-request-id, for support tickets
  std::vector<UpstreamEvent> retries, failovers, resends;

  double since_start_ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  }
  // The id the labels and the health table use.
  const std::string& deployment_key() const { return deployment_id.empty() ? deployment : deployment_id; }
};

// Told of every request once it has ended (its answer sent or its client gone), on the I/O
// thread that served it: keep it short and never block.
class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  virtual void observe(const RequestRecord& r) = 0;
};

}  // namespace agp::ops
