#include "ops/metrics.hpp"

#include <fmt/format.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace agp::ops {

namespace {

// Fixed buckets, in seconds (ratios for the count error).
const std::vector<double> kDurationBuckets{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600};
const std::vector<double> kFirstTokenBuckets{0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120, 300};
const std::vector<double> kCountErrorBuckets{-0.2, -0.1, -0.05, -0.02, -0.01, 0, 0.01, 0.02, 0.05, 0.1, 0.2};

struct Histogram {
  std::vector<std::uint64_t> buckets;  // not cumulative; one per bound (the +Inf one is `count`)
  std::uint64_t count = 0;
  double sum = 0;
  void add(double v, const std::vector<double>& bounds) {
    if (buckets.empty()) buckets.assign(bounds.size(), 0);
    for (std::size_t i = 0; i < bounds.size(); ++i)
      if (v <= bounds[i]) {
        ++buckets[i];
        break;
      }
    ++count;
    sum += v;
  }
  void merge(const Histogram& o) {
    if (buckets.empty()) buckets.assign(o.buckets.size(), 0);
    for (std::size_t i = 0; i < o.buckets.size(); ++i) buckets[i] += o.buckets[i];
    count += o.count;
    sum += o.sum;
  }
};

template <std::size_t N>
using Key = std::array<std::string, N>;

template <class Map>
void merge_into(Map& into, const Map& from) {
  for (auto& [k, v] : from) {
    if constexpr (std::is_same_v<typename Map::mapped_type, Histogram>)
      into[k].merge(v);
    else
      into[k] += v;
  }
}

// The text format's escapes: backslash and line feed, and double quotes in label values.
std::string escaped(std::string_view v, bool quotes) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || (quotes && c == '"'))
      out += {'\\', c};
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_help(std::string_view v) { return escaped(v, false); }

// Integers as integers; other values in the shortest form that reads back the same.
std::string number(double v) {
  if (v < 9e15 && v > -9e15 && v == static_cast<double>(static_cast<std::int64_t>(v)))  // range first: the cast
    return fmt::format("{}", static_cast<std::int64_t>(v));
  return fmt::format("{}", v);
}

class Writer {
 public:
  void head(std::string_view name, std::string_view type, std::string_view help) {
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help), name, type);
  }
  template <std::size_t N>
  void sample(std::string_view name, const std::array<std::string_view, N>& names, const Key<N>& values, double v,
              std::string_view extra_label = {}, std::string_view extra_value = {}) {
    out_ += name;
    if (N > 0 || !extra_label.empty()) {
      out_ += '{';
      bool first = true;
      auto label = [&](std::string_view n, std::string_view value) {
        if (!first) out_ += ',';
        first = false;
        fmt::format_to(std::back_inserter(out_), "{}=\"{}\"", n, escape_label_value(value));
      };
      for (std::size_t i = 0; i < N; ++i) label(names[i], values[i]);
      if (!extra_label.empty()) label(extra_label, extra_value);
      out_ += '}';
    }
    out_ += ' ';
    out_ += number(v);
    out_ += '\n';
  }
  void sample(std::string_view name, double v) { sample<0>(name, {}, {}, v); }
  template <std::size_t N>
  void counters(std::string_view name, std::string_view help, const std::array<std::string_view, N>& names,
                const std::map<Key<N>, std::uint64_t>& m) {
    head(name, "counter", help);
    for (auto& [k, v] : m) sample(name, names, k, static_cast<double>(v));
  }
  template <std::size_t N>
  void histograms(std::string_view name, std::string_view help, const std::array<std::string_view, N>& names,
                  const std::map<Key<N>, Histogram>& m, const std::vector<double>& bounds) {
    head(name, "histogram", help);
    std::string bucket = std::string(name) + "_bucket";
    for (auto& [k, h] : m) {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += i < h.buckets.size() ? h.buckets[i] : 0;
        sample(bucket, names, k, static_cast<double>(cumulative), "le", number(bounds[i]));
      }
      sample(bucket, names, k, static_cast<double>(h.count), "le", "+Inf");
      sample(std::string(name) + "_sum", names, k, h.sum);
      sample(std::string(name) + "_count", names, k, static_cast<double>(h.count));
    }
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

constexpr std::array<std::string_view, 4> kRequestLabels{"route", "client_model", "deployment", "status"};
constexpr std::array<std::string_view, 3> kTokenLabels{"client_model", "deployment", "type"};
constexpr std::array<std::string_view, 2> kRouteDeployment{"route", "deployment"};
constexpr std::array<std::string_view, 3> kFirstTokenLabels{"route", "deployment", "stream"};
constexpr std::array<std::string_view, 1> kDeployment{"deployment"};
constexpr std::array<std::string_view, 2> kDeploymentReason{"deployment", "reason"};

}  // namespace

// Everything one request adds, for one route × client model × deployment: one lookup a request.
struct Series {
  Key<3> labels;                                // route, client_model, deployment
  std::map<unsigned, std::uint64_t> by_status;  // requests
  std::array<std::uint64_t, 4> tokens{};        // input, output, cached, reasoning
  Histogram duration, first_token_whole, first_token_stream, upstream, count_error;
};
constexpr std::array<const char*, 4> kTokenTypes{"input", "output", "cached", "reasoning"};

struct Metrics::Shard {
  std::mutex mu;
  std::unordered_map<std::string, Series> series;  // key: the labels joined by \x1f
  std::map<Key<2>, std::uint64_t> retries, failovers, resends;  // deployment, reason (rare)
};

namespace {

// The families a scrape shows, summed over the shards (and over the labels a family leaves out).
struct Totals {
  std::map<Key<4>, std::uint64_t> requests;  // route, client_model, deployment, status
  std::map<Key<3>, std::uint64_t> tokens;    // client_model, deployment, type
  std::map<Key<2>, Histogram> duration;      // route, deployment
  std::map<Key<3>, Histogram> first_token;   // route, deployment, stream
  std::map<Key<1>, Histogram> upstream;      // deployment
  std::map<Key<1>, Histogram> count_error;   // deployment
  std::map<Key<2>, std::uint64_t> retries, failovers, resends;

  void add(const Series& x) {
    auto& [route, model, dep] = x.labels;
    for (auto& [status, n] : x.by_status) requests[{route, model, dep, std::to_string(status)}] += n;
    for (std::size_t i = 0; i < kTokenTypes.size(); ++i)
      if (x.tokens[i] > 0) tokens[{model, dep, kTokenTypes[i]}] += x.tokens[i];
    auto merge = [](auto& map, const auto& key, const Histogram& h) {
      if (h.count > 0) map[key].merge(h);
    };
    merge(duration, Key<2>{route, dep}, x.duration);
    merge(first_token, Key<3>{route, dep, "false"}, x.first_token_whole);
    merge(first_token, Key<3>{route, dep, "true"}, x.first_token_stream);
    merge(upstream, Key<1>{dep}, x.upstream);
    merge(count_error, Key<1>{dep}, x.count_error);
  }
};

}  // namespace

std::string escape_label_value(std::string_view v) { return escaped(v, true); }

const std::string& LabelCap::admit(const std::string& value) {
  static const std::string other = "other";
  {
    std::shared_lock lock(mu_);
    if (auto it = seen_.find(value); it != seen_.end()) return *it;  // elements never move
    if (seen_.size() >= cap_) return other;
  }
  std::unique_lock lock(mu_);
  if (seen_.size() >= cap_ && !seen_.contains(value)) return other;
  return *seen_.insert(value).first;
}

Metrics::Metrics()
    : start_time_s_(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count()) {
  for (auto& s : shards_) s = std::make_unique<Shard>();
}

Metrics::~Metrics() = default;

Metrics::Shard& Metrics::shard() {
  return *shards_[std::hash<std::thread::id>{}(std::this_thread::get_id()) % shards_.size()];
}

void Metrics::observe(const RequestRecord& r) {
  const std::string& model = models_.admit(r.client_model);
  const std::string& dep = deployments_.admit(r.deployment_key());
  std::string key;
  key.reserve(r.endpoint.size() + model.size() + dep.size() + 2);
  key.append(r.endpoint).append(1, '\x1f').append(model).append(1, '\x1f').append(dep);
  auto& s = shard();
  std::lock_guard lock(s.mu);
  auto [it, fresh] = s.series.try_emplace(std::move(key));
  auto& x = it->second;
  if (fresh) x.labels = {r.endpoint, model, dep};
  ++x.by_status[r.status];
  if (r.total_ms >= 0) x.duration.add(r.total_ms / 1000, kDurationBuckets);
  if (r.ttft_ms >= 0) (r.stream ? x.first_token_stream : x.first_token_whole).add(r.ttft_ms / 1000, kFirstTokenBuckets);
  if (r.upstream_ms >= 0) x.upstream.add(r.upstream_ms / 1000, kFirstTokenBuckets);
  const std::array<std::int64_t, 4> tokens{r.tokens_in, r.tokens_out, r.tokens_cached, r.tokens_reasoning};
  for (std::size_t i = 0; i < tokens.size(); ++i)
    if (tokens[i] > 0) x.tokens[i] += static_cast<std::uint64_t>(tokens[i]);
  if (r.count_error) x.count_error.add(*r.count_error, kCountErrorBuckets);
  // Events name the deployment they happened on, capped the same way.
  for (auto [events, counts] : {std::pair{&r.retries, &s.retries}, std::pair{&r.failovers, &s.failovers},
                                std::pair{&r.resends, &s.resends}})
    for (auto& e : *events) ++(*counts)[{deployments_.admit(e.deployment), e.reason}];
}

std::string Metrics::render(const Gauges& g) const {
  Totals all;
  for (auto& s : shards_) {
    std::lock_guard lock(s->mu);
    for (auto& [key, x] : s->series) all.add(x);
    merge_into(all.retries, s->retries);
    merge_into(all.failovers, s->failovers);
    merge_into(all.resends, s->resends);
  }
  Writer w;
  w.head("agp_build_info", "gauge", "The proxy's version (always 1)");
  w.sample<1>("agp_build_info", {"version"}, {AGP_VERSION}, 1);
  w.head("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds");
  w.sample("process_start_time_seconds", start_time_s_);
  w.counters("agp_requests_total", "Requests answered, by route, client model, deployment and HTTP status",
             kRequestLabels, all.requests);
  w.histograms("agp_request_duration_seconds", "Time from the request's arrival to its last byte sent",
               kRouteDeployment, all.duration, kDurationBuckets);
  w.histograms("agp_time_to_first_token_seconds",
               "Time from the request's arrival to the first answer bytes (a whole answer: the answer)",
               kFirstTokenLabels, all.first_token, kFirstTokenBuckets);
  w.histograms("agp_upstream_response_seconds", "Time from the request's arrival to Azure's response headers",
               kDeployment, all.upstream, kFirstTokenBuckets);
  w.counters("agp_tokens_total",
             "Tokens in Azure's usage: input (cached included), output (reasoning included), cached, reasoning",
             kTokenLabels, all.tokens);
  w.counters("agp_upstream_retries_total", "Requests sent to the same deployment again, by reason",
             kDeploymentReason, all.retries);
  w.counters("agp_upstream_failovers_total",
             "Times a request left a deployment for the next one of its route, by reason", kDeploymentReason,
             all.failovers);
  w.counters("agp_capability_resends_total",
             "Requests sent again within a capability learned from Azure's 400, by capability", kDeploymentReason,
             all.resends);
  w.histograms("agp_token_count_error_ratio",
               "Relative error of the local prompt token count against Azure's: (local - Azure) / Azure",
               kDeployment, all.count_error, kCountErrorBuckets);

  w.head("agp_circuit_state", "gauge", "Circuit breaker state per deployment (1 for the current state)");
  for (auto& d : g.deployments)
    for (const char* state : {"closed", "open", "half_open"})
      w.sample<2>("agp_circuit_state", {"deployment", "state"}, {d.deployment, state}, d.circuit == state ? 1 : 0);
  auto per_deployment = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    w.head(name, type, help);
    for (auto& d : g.deployments) w.sample<1>(name, kDeployment, {d.deployment}, static_cast<double>(value(d)));
  };
  per_deployment("agp_circuit_opens_total", "counter", "Times the deployment's circuit opened",
                 [](auto& d) { return d.circuit_opens; });
  per_deployment("agp_deployment_cooldown_seconds", "gauge",
                 "Seconds left of the cool-down Azure asked for (retry-after); 0 = none",
                 [](auto& d) { return d.cool_down_s; });
  per_deployment("agp_deployment_cooldowns_total", "counter", "Cool-downs Azure asked for (429/503 retry-after)",
                 [](auto& d) { return d.cool_downs; });
  per_deployment("agp_deployment_in_flight", "gauge", "Requests being served by the deployment now",
                 [](auto& d) { return d.in_flight; });
  if (g.requests_in_flight >= 0) {
    w.head("agp_requests_in_flight", "gauge", "Requests whose handler is running now");
    w.sample("agp_requests_in_flight", static_cast<double>(g.requests_in_flight));
  }
  if (g.connections_open >= 0) {
    w.head("agp_connections_open", "gauge", "Client connections open now");
    w.sample("agp_connections_open", static_cast<double>(g.connections_open));
  }
  w.head("agp_streams_in_flight", "gauge", "Streamed answers being relayed now");
  w.sample("agp_streams_in_flight", static_cast<double>(streams_.load()));
  w.head("agp_ready", "gauge", "1 when /ready answers 200");
  w.sample("agp_ready", g.ready ? 1 : 0);
  w.head("agp_log_messages_dropped_total", "counter", "Log messages dropped because the log queue was full");
  w.sample("agp_log_messages_dropped_total", static_cast<double>(g.log_dropped));
  return w.take();
}

}  // namespace agp::ops
