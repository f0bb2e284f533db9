// The team YAML: the example file in deploy/ loads, mistakes name file:line:col and the key,
// globs, and the retry-after forms Azure sends.
#include "config/team.hpp"
#include "gateway/azure_call.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_team_config_test {

namespace {

namespace fs = std::filesystem;
const agp::config::Env kKeys = {{"AZURE_OPENAI_KEY_EAST", "a"}, {"AZURE_OPENAI_KEY_WEST", "b"}, {"APIM_SUBSCRIPTION_KEY", "c"}};

TEST(TeamConfig, TheExampleFileLoads) {
  auto t = agp::config::load_team_file((fs::path(AGP_TEST_DATA) / "../../deploy/config.example.yaml").string(), kKeys);
  EXPECT_EQ(t.endpoints.size(), 4u);
  EXPECT_EQ(t.endpoints[2].auth_header, "Ocp-Apim-Subscription-Key");
  EXPECT_EQ(t.endpoints[2].url, "https://my-apim.azure-api.net/team-openai");
  EXPECT_EQ(t.deployments.size(), 6u);
  EXPECT_EQ(t.endpoints[3].auth, agp::config::Auth::entra);
  EXPECT_EQ(t.endpoints[3].credential.scope, "https://ai.azure.com/.default");
  ASSERT_EQ(t.routes.size(), 4u);
  EXPECT_EQ(t.routes[0].pattern, "*sonnet*");
  EXPECT_EQ(t.cursor.size(), 2u);
  auto* apim = t.find_deployment("chat-apim");
  ASSERT_TRUE(apim);
  EXPECT_EQ(apim->capabilities.describe(), "prompt_cache_key=false,max_output_tokens=16384");
  EXPECT_EQ(t.endpoints[0].chat_url("gpt-5"),
            "https://my-east.openai.azure.com/openai/deployments/gpt-5/chat/completions?api-version=2025-04-01-preview");
  EXPECT_EQ(t.endpoints[1].responses_url(), "https://my-west.openai.azure.com/openai/v1/responses");
}

std::string error_of(const std::string& yaml, const agp::config::Env& env = kKeys) {
  auto path = fs::temp_directory_path() / "agp_team_test.yaml";
  std::ofstream(path) << yaml;
  try {
    agp::config::load_team_file(path.string(), env);
  } catch (const agp::config::TeamError& e) {
    return e.what();
  }
  return "";
}

const char* kGood = R"(endpoints:
  - {name: e, url: https://x.openai.azure.com, api_key: k}
deployments:
  - {name: d, endpoint: e, deployment: gpt-4o}
routes:
  "*": [d]
)";

TEST(TeamConfig, MistakesNameTheLineAndTheKey) {
  EXPECT_EQ(error_of(kGood), "");
  struct Row {
    std::string from, to, message;
  };
  const Row rows[] = {
      {"routes:", "route:", "unknown key 'route' in the file"},
      {"endpoint: e,", "endpoint: nowhere,", "4:25: 'endpoint' names 'nowhere', which is not in endpoints"},
      {"[d]", "[d, ghost]", "6:12: route '*' names deployment 'ghost'"},
      {"api_key: k", "api_key: \"${NOT_SET_ANYWHERE}\"", "environment variable NOT_SET_ANYWHERE, which is not set"},
      {"https://x.openai.azure.com", "ftp://x", "'url' must be an http(s) URL"},
      {"https://x.openai.azure.com", "https://u:p@x.openai.azure.com", "must not contain credentials"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, priority: high}", "'priority' must be a whole number"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, api: gemini}", "'api' must be chat, responses or anthropic"},
      {"api_key: k", "api_key: k, auth: entra", "'api_key' is not sent with auth: entra"},
      {"api_key: k", "auth: key", "auth: key needs 'api_key'"},
      {"api_key: k", "auth: oauth", "'auth' must be key, entra or none"},
      {"api_key: k", "api_key: k, scope: https://ai.azure.com/.default", "'scope' is for auth: entra"},
      {"api_key: k", "auth: entra, scope: https://ai.azure.com", "'scope' must be a resource's .default scope"},
      {"api_key: k", "auth: entra, auth_header: Ocp-Apim-Subscription-Key", "'auth_header' names the key's header"},
      {"api_key: k", "auth: none, tenant_id: t", "'tenant_id' is for auth: entra"},
      {"deployment: gpt-4o}", "deployment: \"a/b\"}", "'deployment' must be an Azure deployment name"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, capabilities: {colour: blue}}", "unknown capability 'colour'"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, max_in_flight: 0}", "'max_in_flight' must be from 1 to"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, max_in_flight: some}", "'max_in_flight' must be a whole number"},
      // Keys that are not plain values (yaml-cpp's BadConversion escaped the loader; found by fuzzing).
      {"routes:", "[routes]: 1\nroutes:", "5:1: the keys of the file must be plain names"},
      {"\"*\": [d]", "? [a, b]\n  : [d]", "6:5: the keys of routes must be plain names"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, capabilities: {[a]: b}}",
       "the keys of deployments[0].capabilities must be plain names"},
      {"api_key: k}", "api_key: k, headers: {{x: 1}: y}}", "the keys of endpoints[0].headers must be plain names"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, price: 3}", "'price' must be a mapping"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, price: {input: 1}}", "'price' needs input and output"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, price: {input: 1, output: x}}", "'output' must be a number"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, price: {input: -1, output: 2}}", "'input' must be from 0 to 10000"},
      {"deployment: gpt-4o}", "deployment: gpt-4o, price: {input: 1, output: 2, cache: 1}}", "unknown key 'cache'"},
  };
  for (auto& r : rows) {
    std::string yaml = kGood;
    yaml.replace(yaml.find(r.from), r.from.size(), r.to);
    auto e = error_of(yaml);
    EXPECT_NE(e.find(r.message), std::string::npos) << r.to << " → " << e;
  }
}

// Cost per request from the deployment's price: Azure's prompt tokens include the cached ones.
TEST(TeamConfig, PricePerMillionTokens) {
  std::string yaml = kGood;
  yaml.replace(yaml.find("deployment: gpt-4o}"), 19, "deployment: gpt-4o, price: {input: 2.5, cached_input: 1.25, output: 10}}");
  auto path = fs::temp_directory_path() / "agp_team_price_test.yaml";
  std::ofstream(path) << yaml;
  auto t = agp::config::load_team_file(path.string(), kKeys);
  const auto& p = t.deployments[0].price;
  ASSERT_TRUE(p.set);
  // 1,000,000 prompt tokens of which 400,000 cached, 100,000 output:
  // 600,000 × 2.5 + 400,000 × 1.25 + 100,000 × 10, per million = 1.5 + 0.5 + 1.0 USD.
  EXPECT_DOUBLE_EQ(p.cost(1'000'000, 400'000, 100'000), 3.0);
  EXPECT_DOUBLE_EQ(p.cost(-1, -1, -1), 0.0);  // no usage reported
  // cached_input defaults to input; no price, no cost.
  agp::config::Price q{4, 4, 8, true};
  EXPECT_DOUBLE_EQ(q.cost(1000, 0, 500), (1000 * 4 + 500 * 8) / 1e6);
  EXPECT_DOUBLE_EQ(agp::config::Price{}.cost(1000, 0, 500), 0.0);
}

TEST(TeamConfig, MaxInFlightPerDeployment) {
  std::string yaml = kGood;
  yaml.replace(yaml.find("deployment: gpt-4o}"), 19, "deployment: gpt-4o, max_in_flight: 3}");
  auto path = fs::temp_directory_path() / "agp_team_cap_test.yaml";
  std::ofstream(path) << yaml;
  auto t = agp::config::load_team_file(path.string(), kKeys);
  EXPECT_EQ(t.deployments[0].max_in_flight, 3);
  EXPECT_NE(agp::config::describe_team(t).find("max_in_flight 3"), std::string::npos);
}

std::string write_team(const std::string& yaml) {
  auto path = fs::temp_directory_path() / "agp_team_entra_test.yaml";
  std::ofstream(path) << yaml;
  return path.string();
}

TEST(TeamConfig, EntraEndpointsTakeTheirCredentialFromTheEnvironment) {
  const char* yaml = R"(endpoints:
  - {name: keyless, url: https://a.openai.azure.com}
  - {name: foundry, url: https://b.services.ai.azure.com, auth: entra, scope: "https://ai.azure.com/.default", client_id: mi-2}
  - {name: apim, url: https://apim.azure-api.net/team, auth: none, headers: {x-team: blue}}
deployments:
  - {name: d, endpoint: keyless}
routes:
  "*": [d]
)";
  agp::config::Env env{{"AZURE_CLIENT_ID", "mi-1"}, {"AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:9"}};
  auto t = agp::config::load_team_file(write_team(yaml), env);
  using agp::config::Auth;
  ASSERT_EQ(t.endpoints.size(), 3u);
  // No api_key and no auth: Entra ID; no tenant, so of the chain only managed identity is left.
  EXPECT_EQ(t.endpoints[0].auth, Auth::entra);
  EXPECT_EQ(t.endpoints[0].credential.source, agp::auth::Source::imds_identity);
  EXPECT_EQ(t.endpoints[0].credential.client_id, "mi-1");
  EXPECT_EQ(t.endpoints[0].credential.imds_host, "http://127.0.0.1:9");
  EXPECT_EQ(t.endpoints[1].credential.client_id, "mi-2");  // the endpoint's own client_id wins
  EXPECT_EQ(t.endpoints[1].credential.scope, "https://ai.azure.com/.default");
  EXPECT_EQ(t.endpoints[2].auth, Auth::none);
  auto table = agp::config::describe_team(t);
  EXPECT_NE(table.find("foundry https://b.services.ai.azure.com: Entra ID, managed identity at IMDS"), std::string::npos)
      << table;
  EXPECT_NE(table.find("apim https://apim.azure-api.net/team: no credential"), std::string::npos) << table;
  // A secret travels to the authority only over https (or to loopback).
  env["AZURE_AUTHORITY_HOST"] = "http://login.example.com";
  EXPECT_THROW(agp::config::load_team_file(write_team(yaml), env), agp::config::TeamError);
}

TEST(TeamConfig, Globs) {
  using agp::config::glob_match;
  EXPECT_TRUE(glob_match("*sonnet*", "claude-Sonnet-4-5"));
  EXPECT_TRUE(glob_match("gpt-?o", "gpt-4o"));
  EXPECT_FALSE(glob_match("*haiku*", "claude-sonnet-4-5"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_FALSE(glob_match("a*b", "acd"));
}

TEST(RetryAfter, EveryFormAzureSends) {
  using agp::gateway::retry_after_seconds;
  auto now = std::chrono::system_clock::from_time_t(1798000000);  // 2026-12-23T…
  EXPECT_DOUBLE_EQ(retry_after_seconds("1500", "", "", now), 1.5);
  EXPECT_DOUBLE_EQ(retry_after_seconds("", "2500", "9", now), 2.5);
  EXPECT_DOUBLE_EQ(retry_after_seconds("", "", "20", now), 20);
  std::time_t later = 1798000000 + 42;
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", std::gmtime(&later));
  EXPECT_NEAR(retry_after_seconds("", "", date, now), 42, 1);
  EXPECT_EQ(retry_after_seconds("", "", "", now), -1);
  EXPECT_EQ(retry_after_seconds("", "", "soon", now), -1);
}

}  // namespace

}  // namespace unit_team_config_test
