// Per-deployment health for failover: cool-downs, the circuit breaker and its one half-open
// probe, and the order candidates are tried in.
#include "gateway/health.hpp"

#include <gtest/gtest.h>

#include <thread>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_health_test {

namespace {

using agp::gateway::Health;

agp::config::Deployment dep(std::string name, int priority = 0, int weight = 1) {
  agp::config::Deployment d;
  d.name = d.deployment = std::move(name);
  d.priority = priority;
  d.weight = weight;
  return d;
}

std::vector<std::string> names(const std::vector<agp::config::Deployment>& ds) {
  std::vector<std::string> out;
  for (auto& d : ds) out.push_back(d.name);
  return out;
}

TEST(Health, OrderByPriorityThenLoadPerWeight) {
  Health h(5, std::chrono::seconds(30));
  EXPECT_EQ(names(h.order({dep("b", 1), dep("a", 0)})), (std::vector<std::string>{"a", "b"}));
  h.take_slot("x", 0);
  h.take_slot("x", 0);
  EXPECT_EQ(names(h.order({dep("x"), dep("y")})), (std::vector<std::string>{"y", "x"}));
  EXPECT_EQ(names(h.order({dep("x", 0, 10), dep("y")})), (std::vector<std::string>{"x", "y"}));  // weight 10
}

TEST(Health, InFlightCapRefusesTheSlotAndCountsIt) {
  Health h(5, std::chrono::seconds(30));
  EXPECT_TRUE(h.take_slot("a", 2));
  EXPECT_TRUE(h.take_slot("a", 2));
  EXPECT_FALSE(h.take_slot("a", 2));  // full: the route's next deployment gets the request
  EXPECT_EQ(h.snapshot().at("a").in_flight, 2);
  EXPECT_EQ(h.snapshot().at("a").full, 1u);
  h.end("a");
  EXPECT_TRUE(h.take_slot("a", 2));  // a slot given back is taken again
  EXPECT_TRUE(h.take_slot("b", 0));  // 0 = no cap
  EXPECT_TRUE(h.take_slot("b", 0));
  EXPECT_TRUE(h.take_slot("b", 0));
}

TEST(Health, CoolDownSkipsAndSortsLast) {
  Health h(5, std::chrono::seconds(30));
  h.failure("a", 60);
  EXPECT_FALSE(h.acquire("a"));
  EXPECT_GT(h.cooling_for("a"), 59);
  EXPECT_EQ(names(h.order({dep("a"), dep("b", 3)})), (std::vector<std::string>{"b", "a"}));
}

TEST(Health, CircuitOpensProbesOnceAndCloses) {
  Health h(2, std::chrono::seconds(1));
  h.failure("a", 0);
  EXPECT_TRUE(h.acquire("a"));  // one failure: still closed
  h.failure("a", 0);
  EXPECT_FALSE(h.acquire("a"));  // open
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_TRUE(h.acquire("a"));   // the half-open probe
  EXPECT_FALSE(h.acquire("a"));  // only one at a time
  h.abandon("a");                // the probe's client left: the probe is free again
  EXPECT_TRUE(h.acquire("a"));
  h.failure("a", 0);             // the probe failed: open again
  EXPECT_FALSE(h.acquire("a"));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_TRUE(h.acquire("a"));
  h.success("a");  // closed
  EXPECT_TRUE(h.acquire("a"));
  EXPECT_TRUE(h.acquire("a"));
  EXPECT_EQ(h.snapshot()["a"].circuit, Health::Circuit::closed);
}

}  // namespace

}  // namespace unit_health_test
