#include "ops/status.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace agp::ops {

namespace json = boost::json;

namespace {

std::int64_t minute_of(StatusBoard::SystemClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::minutes>(t.time_since_epoch()).count();
}

// The first characters of an error message, cut at a UTF-8 boundary.
std::string shortened(const std::string& s, std::size_t n = 300) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "…";
}

json::value number_or_null(double v) {
  return v < 0 ? json::value(nullptr) : json::value(static_cast<std::int64_t>(std::llround(v)));
}

// Seconds to a tenth; whole ones as integers ("2", not "2E0").
json::value seconds(double v) {
  double tenths = std::round(v * 10) / 10;
  if (tenths == std::floor(tenths)) return static_cast<std::int64_t>(tenths);
  return tenths;
}

}  // namespace

bool is_error(const RequestRecord& r) { return r.status >= 400 || r.status == 0 || !r.error.empty(); }

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

std::string iso_utc(std::chrono::system_clock::time_point t) {
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void StatusBoard::observe_at(const RequestRecord& r, SystemClock::time_point now) {
  if (r.quiet) return;  // probes, scrapes and this page's own polling are not traffic
  auto positive = [](std::int64_t n) { return n > 0 ? static_cast<std::uint64_t>(n) : 0; };
  const bool failed = is_error(r);
  const auto minute = minute_of(now);
  std::string dep = r.deployment_key().empty() ? "" : deployments_.admit(r.deployment_key());
  std::lock_guard lock(mu_);
  ++total_requests_;
  auto& m = minutes_[static_cast<std::size_t>(minute) % kMinutes];
  if (m.minute != minute) m = Minute{minute};
  ++m.requests;
  m.errors += failed ? 1 : 0;
  m.input_tokens += positive(r.tokens_in);
  m.output_tokens += positive(r.tokens_out);
  m.cached_tokens += positive(r.tokens_cached);
  if (!dep.empty()) {
    auto& d = by_deployment_[dep];
    ++d.requests;
    d.errors += failed ? 1 : 0;
    d.input_tokens += positive(r.tokens_in);
    d.output_tokens += positive(r.tokens_out);
  }
  if (r.ttft_ms >= 0) {
    if (first_token_ms_.size() < kFirstTokenSamples)
      first_token_ms_.push_back(r.ttft_ms);
    else
      first_token_ms_[first_token_next_] = r.ttft_ms;
    first_token_next_ = (first_token_next_ + 1) % kFirstTokenSamples;
  }
  if (failed) {
    errors_.push_front({now, r.id, r.route, r.client_model, r.deployment_key(), shortened(r.error), r.status});
    if (errors_.size() > kErrors) errors_.pop_back();
  }
}

void StatusBoard::add_section(std::string name, std::function<json::value()> fn) {
  sections_.emplace_back(std::move(name), std::move(fn));
}

json::object StatusBoard::traffic(std::int64_t now_minute) const {
  json::array per_minute;
  std::uint64_t hour_requests = 0;
  for (std::int64_t minute = now_minute - static_cast<std::int64_t>(kMinutes) + 1; minute <= now_minute; ++minute) {
    const auto& m = minutes_[static_cast<std::size_t>(minute) % kMinutes];
    bool here = m.minute == minute;
    hour_requests += here ? m.requests : 0;
    per_minute.push_back({{"minute", iso_utc(SystemClock::time_point(std::chrono::minutes(minute)))},
                          {"requests", here ? m.requests : 0},
                          {"errors", here ? m.errors : 0},
                          {"input_tokens", here ? m.input_tokens : 0},
                          {"output_tokens", here ? m.output_tokens : 0},
                          {"cached_tokens", here ? m.cached_tokens : 0}});
  }
  return {{"per_minute", std::move(per_minute)}, {"last_hour_requests", hour_requests},
          {"total_requests", total_requests_}};
}

json::object StatusBoard::first_token() const {
  auto samples = first_token_ms_;
  json::object o{{"samples", samples.size()}};
  o["p50"] = number_or_null(percentile(samples, 0.50));
  o["p90"] = number_or_null(percentile(samples, 0.90));
  o["p99"] = number_or_null(percentile(samples, 0.99));
  return o;
}

json::object StatusBoard::document_at(const StatusInputs& in, SystemClock::time_point now) const {
  json::object doc{{"service", "azure-gpt-proxy"},
                   {"version", AGP_VERSION},
                   {"now", iso_utc(now)},
                   {"started", iso_utc(started_)},
                   {"ready", in.ready},
                   {"config_source", in.config_source}};
  if (!in.ready) doc["not_ready_reason"] = in.not_ready_reason;
  json::object in_flight{{"streams", in.streams_in_flight}};
  if (in.requests_in_flight >= 0) in_flight["requests"] = in.requests_in_flight;
  doc["in_flight"] = std::move(in_flight);
  json::array routes;
  for (auto& r : in.routes) {
    json::array deps;
    for (auto& d : r.deployments) deps.emplace_back(d);
    routes.push_back({{"pattern", r.pattern}, {"deployments", std::move(deps)}});
  }
  doc["routes"] = std::move(routes);
  json::object sections;  // built outside the lock: a section may take its own
  for (auto& [name, fn] : sections_) sections[name] = fn();
  std::lock_guard lock(mu_);
  json::array deployments;
  for (auto& d : in.deployments) {
    auto& h = d.health;
    json::object o{{"name", h.deployment},
                   {"deployment", d.azure_deployment},
                   {"endpoint", d.endpoint},
                   {"api", d.api.empty() ? "auto" : d.api},
                   {"priority", d.priority},
                   {"weight", d.weight},
                   {"circuit", h.circuit},
                   {"circuit_open_s", seconds(h.circuit_open_s)},
                   {"cool_down_s", seconds(h.cool_down_s)},
                   {"in_flight", h.in_flight},
                   {"consecutive_failures", h.consecutive_failures},
                   {"circuit_opens", h.circuit_opens},
                   {"cool_downs", h.cool_downs}};
    auto it = by_deployment_.find(h.deployment);
    DeploymentTotals t = it == by_deployment_.end() ? DeploymentTotals{} : it->second;
    o["requests"] = t.requests;
    o["errors"] = t.errors;
    o["input_tokens"] = t.input_tokens;
    o["output_tokens"] = t.output_tokens;
    deployments.push_back(std::move(o));
  }
  doc["deployments"] = std::move(deployments);
  doc["traffic"] = traffic(minute_of(now));
  doc["time_to_first_token_ms"] = first_token();
  json::array errors;
  for (auto& e : errors_)
    errors.push_back({{"time", iso_utc(e.at)},
                      {"request_id", e.id},
                      {"route", e.route},
                      {"client_model", e.client_model},
                      {"deployment", e.deployment},
                      {"status", e.status},
                      {"error", e.error}});
  doc["recent_errors"] = std::move(errors);
  doc["sections"] = std::move(sections);
  return doc;
}

}  // namespace agp::ops
