// The status page's model: per-minute traffic, first-token percentiles, the last errors, and the
// sections other parts add.
#include "ops/status.hpp"

#include "core/ids.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_status_test {

namespace {

using agp::ops::RequestRecord;
using agp::ops::StatusBoard;
using Clock = std::chrono::system_clock;

RequestRecord rec(unsigned status, double ttft, std::int64_t in, std::int64_t out) {
  RequestRecord r;
  r.route = "POST /v1/messages";
  r.deployment_id = "big";
  r.status = status;
  r.ttft_ms = ttft;
  r.tokens_in = in;
  r.tokens_out = out;
  return r;
}

TEST(Status, Percentiles) {
  std::vector<double> v{5, 1, 4, 2, 3, 6, 7, 8, 9, 10};
  EXPECT_EQ(agp::ops::percentile(v, 0.5), 5);
  EXPECT_EQ(agp::ops::percentile(v, 0.9), 9);
  EXPECT_EQ(agp::ops::percentile(v, 0.99), 10);
  std::vector<double> empty;
  EXPECT_EQ(agp::ops::percentile(empty, 0.5), -1);
}

TEST(Status, TrafficPerMinuteAndDeploymentTotals) {
  StatusBoard b;
  auto t0 = Clock::time_point(std::chrono::minutes(29'000'000));
  b.observe_at(rec(200, 100, 10, 2), t0);
  b.observe_at(rec(200, 300, 20, 4), t0 + std::chrono::seconds(30));
  b.observe_at(rec(529, -1, -1, -1), t0 + std::chrono::seconds(70));  // the next minute
  auto probe = rec(200, 1, 1, 1);
  probe.quiet = true;  // health checks are not traffic
  b.observe_at(probe, t0);
  agp::ops::StatusInputs in;
  agp::ops::DeploymentInfo d;
  d.health.deployment = "big";
  in.deployments.push_back(d);
  auto doc = b.document_at(in, t0 + std::chrono::seconds(80));
  auto& minutes = doc["traffic"].as_object()["per_minute"].as_array();
  ASSERT_EQ(minutes.size(), 60u);
  auto& last = minutes.back().as_object();
  auto& before = minutes[58].as_object();
  EXPECT_EQ(before["requests"].to_number<int>(), 2);
  EXPECT_EQ(before["input_tokens"].to_number<int>(), 30);
  EXPECT_EQ(before["output_tokens"].to_number<int>(), 6);
  EXPECT_EQ(last["requests"].to_number<int>(), 1);
  EXPECT_EQ(last["errors"].to_number<int>(), 1);
  EXPECT_EQ(doc["traffic"].as_object()["total_requests"].to_number<int>(), 3);
  auto& dep = doc["deployments"].as_array()[0].as_object();
  EXPECT_EQ(dep["requests"].to_number<int>(), 3);
  EXPECT_EQ(dep["errors"].to_number<int>(), 1);
  EXPECT_EQ(dep["input_tokens"].to_number<int>(), 30);
  auto& ttft = doc["time_to_first_token_ms"].as_object();
  EXPECT_EQ(ttft["samples"].to_number<int>(), 2);
  EXPECT_EQ(ttft["p50"].to_number<double>(), 100);
  EXPECT_EQ(ttft["p99"].to_number<double>(), 300);
  // An hour later the old minutes are gone.
  auto later = b.document_at(in, t0 + std::chrono::minutes(61));
  for (auto& m : later["traffic"].as_object()["per_minute"].as_array())
    EXPECT_EQ(m.as_object().at("requests").to_number<int>(), 0);
}

TEST(Status, LastErrorsNewestFirstAndBounded) {
  StatusBoard b;
  for (unsigned i = 0; i < 30; ++i) {
    auto r = rec(500, -1, -1, -1);
    r.id = "req_" + std::to_string(i);
    r.error = std::string(400, 'x');
    b.observe(r);
  }
  auto doc = b.document(agp::ops::StatusInputs{});
  auto& errors = doc["recent_errors"].as_array();
  ASSERT_EQ(errors.size(), StatusBoard::kErrors);
  EXPECT_EQ(errors[0].as_object().at("request_id").as_string(), "req_29");
  EXPECT_LT(errors[0].as_object().at("error").as_string().size(), 310u);  // shortened
}

TEST(Status, SectionsAddedByOthers) {
  StatusBoard b;
  b.add_section("usage", [] { return boost::json::value{{"keys", 2}}; });
  auto doc = b.document(agp::ops::StatusInputs{});
  EXPECT_EQ(doc["sections"].as_object()["usage"].as_object()["keys"].to_number<int>(), 2);
}

TEST(RequestId, ClientIdAcceptedWhenPrintableAndShort) {
  EXPECT_EQ(agp::request_id_for("abc-123_XYZ"), "abc-123_XYZ");
  EXPECT_EQ(agp::request_id_for(std::string(128, 'a')), std::string(128, 'a'));
  for (std::string bad : {std::string(), std::string(129, 'a'), std::string("has space"), std::string("new\nline"),
                          std::string("tab\t"), std::string("caf\xc3\xa9")}) {
    auto id = agp::request_id_for(bad);
    EXPECT_TRUE(id.starts_with("req_")) << bad;
    EXPECT_EQ(id.size(), 28u);
  }
}

}  // namespace

}  // namespace unit_status_test
