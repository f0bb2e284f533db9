// The Prometheus registry: counters and histograms fed from request records, bounded labels, and
// the text exposition format's details (escaping, cumulative buckets, +Inf, _sum, _count).
#include "ops/metrics.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <regex>
#include <sstream>
#include <thread>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_metrics_test {

namespace {

using agp::ops::Gauges;
using agp::ops::Metrics;
using agp::ops::RequestRecord;

RequestRecord rec(std::string model, std::string dep, unsigned status, double total_ms) {
  RequestRecord r;
  r.endpoint = "/v1/messages";
  r.client_model = std::move(model);
  r.deployment_id = std::move(dep);
  r.status = status;
  r.total_ms = total_ms;
  return r;
}

// The sample lines of a scrape: "name{labels}" → value.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    auto sp = line.rfind(' ');
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

TEST(Metrics, RequestsByLabelsAndDurationHistogram) {
  Metrics m;
  m.observe(rec("claude-sonnet-4-5", "big", 200, 40));
  m.observe(rec("claude-sonnet-4-5", "big", 200, 300));
  m.observe(rec("claude-sonnet-4-5", "big", 429, 700));
  auto s = samples(m.render(Gauges{}));
  EXPECT_EQ(s[R"(agp_requests_total{route="/v1/messages",client_model="claude-sonnet-4-5",deployment="big",status="200"})"], 2);
  EXPECT_EQ(s[R"(agp_requests_total{route="/v1/messages",client_model="claude-sonnet-4-5",deployment="big",status="429"})"], 1);
  const std::string h = R"(agp_request_duration_seconds_bucket{route="/v1/messages",deployment="big",le=")";
  EXPECT_EQ(s[h + R"(0.05"})"], 1);  // 0.04
  EXPECT_EQ(s[h + R"(0.25"})"], 1);
  EXPECT_EQ(s[h + R"(0.5"})"], 2);  // + 0.3
  EXPECT_EQ(s[h + R"(1"})"], 3);    // + 0.7
  EXPECT_EQ(s[h + R"(+Inf"})"], 3);
  EXPECT_DOUBLE_EQ(s[R"(agp_request_duration_seconds_sum{route="/v1/messages",deployment="big"})"], 1.04);
  EXPECT_EQ(s[R"(agp_request_duration_seconds_count{route="/v1/messages",deployment="big"})"], 3);
}

TEST(Metrics, TokensAndUpstreamEventsByReason) {
  Metrics m;
  auto r = rec("m", "d", 200, 10);
  r.tokens_in = 120;
  r.tokens_out = 30;
  r.tokens_cached = 100;
  r.tokens_reasoning = 12;
  r.retries = {{"d", "http_503"}, {"d", "http_503"}};
  r.failovers = {{"e", "circuit_open"}};
  r.resends = {{"d", "max_output_tokens"}};
  m.observe(r);
  m.observe(r);
  auto s = samples(m.render(Gauges{}));
  EXPECT_EQ(s[R"(agp_tokens_total{client_model="m",deployment="d",type="input"})"], 240);
  EXPECT_EQ(s[R"(agp_tokens_total{client_model="m",deployment="d",type="output"})"], 60);
  EXPECT_EQ(s[R"(agp_tokens_total{client_model="m",deployment="d",type="cached"})"], 200);
  EXPECT_EQ(s[R"(agp_tokens_total{client_model="m",deployment="d",type="reasoning"})"], 24);
  EXPECT_EQ(s[R"(agp_upstream_retries_total{deployment="d",reason="http_503"})"], 4);
  EXPECT_EQ(s[R"(agp_upstream_failovers_total{deployment="e",reason="circuit_open"})"], 2);
  EXPECT_EQ(s[R"(agp_capability_resends_total{deployment="d",reason="max_output_tokens"})"], 2);
}

TEST(Metrics, ClientChosenLabelValuesAreCapped) {
  Metrics m;
  for (int i = 0; i < 100; ++i) m.observe(rec("model-" + std::to_string(i), "d", 200, 1));
  auto s = samples(m.render(Gauges{}));
  int distinct = 0;
  double total = 0;
  for (auto& [k, v] : s)
    if (k.starts_with("agp_requests_total{")) {
      ++distinct;
      total += v;
    }
  EXPECT_EQ(distinct, 65);  // 64 kept + "other"
  EXPECT_EQ(total, 100);
  EXPECT_EQ(s[R"(agp_requests_total{route="/v1/messages",client_model="other",deployment="d",status="200"})"], 36);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Metrics m;
  m.observe(rec("a\"b\\c\nd", "d", 200, 1));
  auto text = m.render(Gauges{});
  EXPECT_NE(text.find(R"(client_model="a\"b\\c\nd")"), std::string::npos) << text;
}

TEST(Metrics, GaugesFromOwnersAndEveryFamilyTyped) {
  Metrics m;
  Gauges g;
  agp::ops::DeploymentGauges d;
  d.deployment = "east";
  d.circuit = "open";
  d.cool_down_s = 2.5;
  d.in_flight = 3;
  d.circuit_opens = 1;
  g.deployments.push_back(d);
  g.requests_in_flight = 4;
  g.ready = false;
  auto text = m.render(g);
  auto s = samples(text);
  EXPECT_EQ(s[R"(agp_circuit_state{deployment="east",state="open"})"], 1);
  EXPECT_EQ(s[R"(agp_circuit_state{deployment="east",state="closed"})"], 0);
  EXPECT_EQ(s[R"(agp_deployment_cooldown_seconds{deployment="east"})"], 2.5);
  EXPECT_EQ(s[R"(agp_deployment_in_flight{deployment="east"})"], 3);
  EXPECT_EQ(s["agp_requests_in_flight"], 4);
  EXPECT_EQ(s["agp_ready"], 0);
  EXPECT_EQ(text.find("agp_connections_open"), std::string::npos);  // unknown: not reported
  // Every sample belongs to a family declared by a TYPE line before it.
  std::istringstream in(text);
  std::set<std::string> typed;
  std::regex type_line(R"(# TYPE ([a-z_]+) (counter|gauge|histogram))");
  for (std::string line; std::getline(in, line);) {
    std::smatch mt;
    if (std::regex_match(line, mt, type_line)) {
      EXPECT_TRUE(typed.insert(mt[1]).second) << "family declared twice: " << mt[1];
    } else if (!line.starts_with("#")) {
      std::string name = line.substr(0, line.find_first_of("{ "));
      bool ok = typed.count(name) > 0;
      for (auto suffix : {"_bucket", "_sum", "_count"})
        if (name.ends_with(suffix)) ok = ok || typed.count(name.substr(0, name.size() - std::strlen(suffix))) > 0;
      EXPECT_TRUE(ok) << line;
    }
  }
}

TEST(Metrics, ConcurrentObserversLoseNothing) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&m] {
      for (int i = 0; i < 1000; ++i) m.observe(rec("m", "d", 200, 5));
    });
  for (auto& t : threads) t.join();
  auto s = samples(m.render(Gauges{}));
  EXPECT_EQ(s[R"(agp_requests_total{route="/v1/messages",client_model="m",deployment="d",status="200"})"], 8000);
  EXPECT_EQ(s[R"(agp_request_duration_seconds_count{route="/v1/messages",deployment="d"})"], 8000);
}

}  // namespace

}  // namespace unit_metrics_test
