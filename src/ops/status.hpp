// The status page's model: requests and tokens per minute, time-to-first-token percentiles, the
// last errors (their messages, never prompt text) and per-deployment totals, kept from the request
// records; the document GET /status.json serves, with the deployments' health and the routes
// their owner passes in. Other parts of the proxy add their own sections (usage per key, …).
#pragma once

#include "ops/metrics.hpp"
#include "ops/request_record.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace agp::ops {

struct RouteInfo {
  std::string pattern;                   // the client model names it takes (a glob)
  std::vector<std::string> deployments;  // tried in this order
};

struct DeploymentInfo {
  DeploymentGauges health;
  std::string azure_deployment, endpoint, api;
  int priority = 0, weight = 1;
};

// What the status document shows that its owner knows now.
struct StatusInputs {
  std::vector<DeploymentInfo> deployments;
  std::vector<RouteInfo> routes;
  std::string config_source;  // the config file, or "environment"
  bool ready = true;
  std::string not_ready_reason;
  std::int64_t requests_in_flight = -1, streams_in_flight = 0;
};

class StatusBoard final : public RequestObserver {
 public:
  using SystemClock = std::chrono::system_clock;
  static constexpr std::size_t kMinutes = 60, kErrors = 20, kFirstTokenSamples = 1000;

  void observe(const RequestRecord& r) override { observe_at(r, SystemClock::now()); }
  void observe_at(const RequestRecord& r, SystemClock::time_point now);

  // A named section of the document, built by `fn` on every request for it (keep it cheap; it
  // must never return secrets or prompt text). Add sections before the server starts.
  void add_section(std::string name, std::function<boost::json::value()> fn);

  boost::json::object document(const StatusInputs& in) const { return document_at(in, SystemClock::now()); }
  boost::json::object document_at(const StatusInputs& in, SystemClock::time_point now) const;

 private:
  struct Minute {
    std::int64_t minute = -1;  // minutes since the epoch
    std::uint64_t requests = 0, errors = 0;
    std::uint64_t input_tokens = 0, output_tokens = 0, cached_tokens = 0;
  };
  struct DeploymentTotals {
    std::uint64_t requests = 0, errors = 0, input_tokens = 0, output_tokens = 0;
  };
  struct ErrorEntry {
    SystemClock::time_point at;
    std::string id, route, client_model, deployment, error;
    unsigned status = 0;
  };
  boost::json::object traffic(std::int64_t now_minute) const;
  boost::json::object first_token() const;

  mutable std::mutex mu_;
  std::array<Minute, kMinutes> minutes_{};
  std::deque<ErrorEntry> errors_;
  std::vector<double> first_token_ms_;  // a ring of the last kFirstTokenSamples
  std::size_t first_token_next_ = 0;
  std::map<std::string, DeploymentTotals> by_deployment_;
  std::uint64_t total_requests_ = 0;
  LabelCap deployments_{64};
  std::vector<std::pair<std::string, std::function<boost::json::value()>>> sections_;
  SystemClock::time_point started_ = SystemClock::now();
};

// A request counts as an error on the status page when its status is 4xx/5xx or it ended early.
bool is_error(const RequestRecord& r);

// The value at quantile q (0..1) of `v` (sorted in place), nearest rank; -1 when empty.
double percentile(std::vector<double>& v, double q);

// "2026-05-01T12:34:56Z"
std::string iso_utc(std::chrono::system_clock::time_point t);

}  // namespace agp::ops
