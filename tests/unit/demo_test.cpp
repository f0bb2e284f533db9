// --demo's settings: the mock is the one endpoint, the user's Azure settings and config file are
// set aside, other settings stay.
#include "ops/demo.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_demo_test {

TEST(Demo, EnvSetsTheMockAndSetsAsideTheUsersAzure) {
  agp::config::Env user{{"AZURE_OPENAI_ENDPOINT", "https://real.openai.azure.com"},
                        {"AZURE_OPENAI_API_KEY", "real-key"},
                        {"AZURE_BACKEND", "responses"},
                        {"CONFIG_FILE", "team.yaml"},
                        {"BIG_MODEL", "gpt-real"},
                        {"HTTPS_PROXY", "http://proxy.corp:3128"},
                        {"LOG_LEVEL", "debug"},
                        {"LISTEN_ADDR", "127.0.0.1:9000"}};
  auto env = agp::ops::demo_env(user, "http://127.0.0.1:4321", "mock-key", "demo-token");
  EXPECT_EQ(env.at("AZURE_OPENAI_ENDPOINT"), "http://127.0.0.1:4321");
  EXPECT_EQ(env.at("AZURE_OPENAI_API_KEY"), "mock-key");
  EXPECT_EQ(env.at("ANTHROPIC_AUTH_TOKEN"), "demo-token");
  EXPECT_EQ(env.at("BIG_MODEL"), "demo-big");
  EXPECT_EQ(env.at("SMALL_MODEL"), "demo-small");
  EXPECT_FALSE(env.contains("AZURE_BACKEND"));
  EXPECT_FALSE(env.contains("CONFIG_FILE"));
  EXPECT_FALSE(env.contains("HTTPS_PROXY"));
  EXPECT_EQ(env.at("LOG_LEVEL"), "debug");
  EXPECT_EQ(env.at("LISTEN_ADDR"), "127.0.0.1:9000");
}

TEST(Demo, BannerNamesTheBaseUrlAndToken) {
  auto b = agp::ops::demo_banner("http://127.0.0.1:8082", "http://127.0.0.1:4321", "demo-token");
  EXPECT_NE(b.find("export ANTHROPIC_BASE_URL=http://127.0.0.1:8082\n"), std::string::npos);
  EXPECT_NE(b.find("export ANTHROPIC_AUTH_TOKEN=demo-token\n"), std::string::npos);
}

}  // namespace unit_demo_test
