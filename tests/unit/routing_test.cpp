// config::route_model: client model name → Azure deployment, and reasoning-model detection.
#include "config/routing.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_routing_test {

namespace {

using namespace agp::config;

Config config() {
  Config c;
  c.big_model = "gpt-4o";
  c.small_model = "gpt-4o-mini";
  c.reasoning_deployments = {"my-thinker"};
  return c;
}

struct Case {
  const char* model;
  const char* deployment;  // nullptr = rejected
  bool reasoning;
};

class RouteModel : public ::testing::TestWithParam<Case> {};

TEST_P(RouteModel, Routes) {
  const auto& c = GetParam();
  auto r = route_model(c.model, config());
  if (!c.deployment) {
    ASSERT_FALSE(r.ok()) << c.model << " → " << r->deployment;
    EXPECT_GE(r.error().status, 400u);
    EXPECT_LT(r.error().status, 500u);
    EXPECT_NE(r.error().message.find("model"), std::string::npos) << r.error().message;
    return;
  }
  ASSERT_TRUE(r.ok()) << c.model << ": " << r.error().message;
  EXPECT_EQ(r->deployment, c.deployment) << c.model;
  EXPECT_EQ(r->client_model, c.model);
  EXPECT_EQ(r->reasoning, c.reasoning) << c.model;
}

const Case kCases[] = {
    {"claude-3-5-haiku-20241022", "gpt-4o-mini", false},
    {"claude-haiku-4-5-20251001", "gpt-4o-mini", false},
    {"claude-sonnet-4-5", "gpt-4o", false},
    {"claude-3-7-sonnet-latest", "gpt-4o", false},
    {"claude-opus-4-1-20250805", "gpt-4o", false},
    {"Claude-Opus-4", "gpt-4o", false},
    {"anthropic/claude-sonnet-4-5", "gpt-4o", false},
    {"anthropic/claude-haiku-4-5", "gpt-4o-mini", false},
    {"azure/gpt-5-mini", "gpt-5-mini", true},
    {"azure/my-haiku-deployment", "my-haiku-deployment", false},  // azure/ wins over the haiku match
    {"openai/gpt-4.1", "gpt-4.1", false},
    {"gpt-4o", "gpt-4o", false},
    {"o3", "o3", true},
    {"o4-mini", "o4-mini", true},
    {"gpt-5", "gpt-5", true},
    {"GPT-5-Codex", "GPT-5-Codex", true},
    {"my-codex-deployment", "my-codex-deployment", true},
    {"my-thinker", "my-thinker", true},
    {"omni", "omni", false},
    {"", nullptr, false},
    {"azure/", nullptr, false},
    {"azure/../secrets", nullptr, false},
    {"gpt-4o/../../x", nullptr, false},
    {"gpt 4o", nullptr, false},
    {"gpt-4o?api-version=1", nullptr, false},
    {"..", nullptr, false},
    {"x%2F..", nullptr, false},
};

INSTANTIATE_TEST_SUITE_P(Table, RouteModel, ::testing::ValuesIn(kCases));

TEST(RouteModel, ReasoningBigModel) {
  auto c = config();
  c.big_model = "gpt-5";
  auto r = route_model("claude-sonnet-4-5", c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->deployment, "gpt-5");
  EXPECT_TRUE(r->reasoning);
}

TEST(ValidDeploymentName, Table) {
  struct Row {
    std::string name;
    bool ok;
  };
  const Row rows[] = {{"gpt-4o", true},
                      {"my_dep.v2", true},
                      {std::string(64, 'a'), true},
                      {std::string(65, 'a'), false},
                      {"", false},
                      {".", false},
                      {"..", false},
                      {"a/b", false},
                      {"a b", false},
                      {"a?b", false},
                      {"ä", false}};
  for (auto& r : rows) EXPECT_EQ(valid_deployment_name(r.name), r.ok) << r.name;
}

}  // namespace

}  // namespace unit_routing_test
