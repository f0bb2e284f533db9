// Prometheus metrics, written in the text exposition format (0.0.4) by hand. Counters and
// fixed-bucket histograms are fed once per request from its record, into one of 16 shards picked
// by thread (the hot path takes only its own shard's uncontended lock); gauges whose owners keep
// them (circuits, in-flight counts) are read at scrape time. Label sets are bounded: values that
// come from clients (model names, deployment names they may pick) are capped, the rest are "other".
#pragma once

#include "ops/request_record.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace agp::ops {

// Keeps the first `cap` distinct values of a label; later ones become "other". Thread-safe.
class LabelCap {
 public:
  explicit LabelCap(std::size_t cap) : cap_(cap) {}
  // The value itself (as kept), or "other"; the reference stays valid for the cap's lifetime.
  const std::string& admit(const std::string& value);

 private:
  std::size_t cap_;
  std::shared_mutex mu_;
  std::unordered_set<std::string> seen_;
};

// What a deployment's health says now (its owner fills it at scrape time).
struct DeploymentGauges {
  std::string deployment;
  std::string circuit = "closed";  // closed | open | half_open
  double cool_down_s = 0;          // seconds left of a cool-down Azure asked for
  double circuit_open_s = 0;       // seconds until an open circuit lets a probe through
  int in_flight = 0;
  int consecutive_failures = 0;
  std::uint64_t circuit_opens = 0, cool_downs = 0;
};

// Gauges read when scraped. A negative count is unknown and not reported.
struct Gauges {
  std::vector<DeploymentGauges> deployments;
  std::int64_t requests_in_flight = -1;  // handlers running now (the HTTP server's count)
  std::int64_t connections_open = -1;    // client connections open (when the server reports it)
  bool ready = true;
  std::uint64_t log_dropped = 0;  // log messages dropped by the async logger's full queue
};

class Metrics final : public RequestObserver {
 public:
  Metrics();
  ~Metrics() override;
  void observe(const RequestRecord& r) override;
  std::string render(const Gauges& g) const;

  // Streams being relayed to clients now (RAII: StreamGauge).
  std::atomic<std::int64_t>& streams_in_flight() { return streams_; }
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  struct Shard;

 private:
  Shard& shard();
  std::array<std::unique_ptr<Shard>, 16> shards_;
  LabelCap models_{64}, deployments_{64};
  std::atomic<std::int64_t> streams_{0};
  double start_time_s_;
};

// Counts a stream in flight for its lifetime.
class StreamGauge {
 public:
  explicit StreamGauge(std::atomic<std::int64_t>& n) : n_(n) { ++n_; }
  ~StreamGauge() { --n_; }
  StreamGauge(const StreamGauge&) = delete;
  StreamGauge& operator=(const StreamGauge&) = delete;

 private:
  std::atomic<std::int64_t>& n_;
};

// The text format's escaping of a label value (backslash, double quote, line feed); the log's
// text lines quote values the same way.
std::string escape_label_value(std::string_view v);

}  // namespace agp::ops
