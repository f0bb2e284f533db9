// config::load (environment → Config), the .env reader, merge, and config::parse_listen_address.
#include "config/config.hpp"

#include "config/listen_address.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_config_test {

namespace {

using namespace agp::config;

Env base() {
  return {{"AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com"},
          {"AZURE_OPENAI_API_KEY", "k"},
          {"BIG_MODEL", "gpt-4o"}};
}
Env with(Env env, std::initializer_list<std::pair<const std::string, std::string>> more) {
  for (auto& [k, v] : more) env[k] = v;
  return env;
}
Env without(Env env, const std::string& key) {
  env.erase(key);
  return env;
}

struct OkCase {
  const char* name;
  Env env;
  std::function<void(const Config&)> check;
};

class ConfigLoad : public ::testing::TestWithParam<OkCase> {};

TEST_P(ConfigLoad, Loads) {
  const auto& c = GetParam();
  Config cfg;
  try {
    cfg = load(c.env);
  } catch (const ConfigError& e) {
    FAIL() << e.what();
  }
  c.check(cfg);
}

const OkCase kOk[] = {
    {"Defaults", base(),
     [](const Config& c) {
       EXPECT_EQ(c.azure_endpoint, "https://res.openai.azure.com");
       EXPECT_EQ(c.azure_api_key, "k");
       EXPECT_EQ(c.big_model, "gpt-4o");
       EXPECT_EQ(c.small_model, "gpt-4o");  // falls back to BIG_MODEL
       EXPECT_EQ(c.listen_host, "127.0.0.1");
       EXPECT_EQ(c.listen_port, 8082);
       EXPECT_TRUE(c.listen_is_loopback());
       EXPECT_FALSE(c.azure_api_version.empty());
       EXPECT_FALSE(c.api_version_is_v1());
       EXPECT_TRUE(c.verify_tls);
       EXPECT_EQ(c.max_output_tokens, 0);
       EXPECT_TRUE(c.auth_token.empty());
     }},
    {"TrailingSlashStripped", with(base(), {{"AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com/"}}),
     [](const Config& c) { EXPECT_EQ(c.azure_endpoint, "https://res.openai.azure.com"); }},
    {"OpenaiSuffixStripped", with(base(), {{"AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com/openai"}}),
     [](const Config& c) { EXPECT_EQ(c.azure_endpoint, "https://res.openai.azure.com"); }},
    {"OpenaiSuffixAndSlashStripped", with(base(), {{"AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com/openai/"}}),
     [](const Config& c) { EXPECT_EQ(c.azure_endpoint, "https://res.openai.azure.com"); }},
    {"OpenaiV1SuffixStripped", with(base(), {{"AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com/openai/v1/"}}),
     [](const Config& c) { EXPECT_EQ(c.azure_endpoint, "https://res.openai.azure.com"); }},
    {"HttpEndpointWithPortAllowed", with(base(), {{"AZURE_OPENAI_ENDPOINT", "http://127.0.0.1:9999"}}),
     [](const Config& c) { EXPECT_EQ(c.azure_endpoint, "http://127.0.0.1:9999"); }},
    {"SmallModel", with(base(), {{"SMALL_MODEL", "gpt-4o-mini"}}),
     [](const Config& c) { EXPECT_EQ(c.small_model, "gpt-4o-mini"); }},
    {"ApiVersionV1", with(base(), {{"AZURE_API_VERSION", "v1"}}),
     [](const Config& c) { EXPECT_TRUE(c.api_version_is_v1()); }},
    {"ApiVersionPreview", with(base(), {{"AZURE_API_VERSION", "2025-04-01-preview"}}),
     [](const Config& c) { EXPECT_EQ(c.azure_api_version, "2025-04-01-preview"); }},
    {"AspNetCoreUrlsPlus", with(base(), {{"ASPNETCORE_URLS", "http://+:8080"}}),
     [](const Config& c) {
       EXPECT_EQ(c.listen_host, "0.0.0.0");
       EXPECT_EQ(c.listen_port, 8080);
       EXPECT_FALSE(c.listen_is_loopback());
     }},
    {"ListenAddrWinsOverAspNetCoreUrls",
     with(base(), {{"ASPNETCORE_URLS", "http://+:8080"}, {"LISTEN_ADDR", "127.0.0.1:9000"}}),
     [](const Config& c) {
       EXPECT_EQ(c.listen_host, "127.0.0.1");
       EXPECT_EQ(c.listen_port, 9000);
     }},
    {"ReasoningDeploymentsList", with(base(), {{"REASONING_DEPLOYMENTS", " my-o3 , ,thinker "}}),
     [](const Config& c) {
       EXPECT_EQ(c.reasoning_deployments, (std::vector<std::string>{"my-o3", "thinker"}));
     }},
    {"MaxOutputTokens", with(base(), {{"AZURE_MAX_OUTPUT_TOKENS", "16384"}}),
     [](const Config& c) { EXPECT_EQ(c.max_output_tokens, 16384); }},
    {"AuthToken", with(base(), {{"ANTHROPIC_AUTH_TOKEN", "secret"}}),
     [](const Config& c) { EXPECT_EQ(c.auth_token, "secret"); }},
    {"VerifyTlsOff", with(base(), {{"AZURE_VERIFY_TLS", "false"}}),
     [](const Config& c) { EXPECT_FALSE(c.verify_tls); }},
    {"LimitsDefaults", base(),
     [](const Config& c) {
       EXPECT_EQ(c.header_timeout, std::chrono::seconds(10));
       EXPECT_EQ(c.body_timeout, std::chrono::seconds(10));
       EXPECT_EQ(c.body_min_rate, 4096u);
       EXPECT_EQ(c.keepalive_timeout, std::chrono::seconds(75));
       EXPECT_EQ(c.max_connections, 1024u);
       EXPECT_EQ(c.max_in_flight, 256u);
       EXPECT_EQ(c.max_streams, 128u);
       EXPECT_EQ(c.deployment_max_in_flight, 0);
       EXPECT_EQ(c.body_budget, default_body_budget(cgroup_memory_limit()));
       EXPECT_TRUE(c.ca_file.empty());
     }},
    {"LimitsGiven",
     with(base(), {{"HEADER_TIMEOUT", "2"}, {"BODY_TIMEOUT", "3"}, {"BODY_MIN_RATE", "0"}, {"KEEPALIVE_TIMEOUT", "4"},
                   {"MAX_CONNECTIONS", "5"}, {"MAX_IN_FLIGHT", "6"}, {"MAX_STREAMS", "7"},
                   {"DEPLOYMENT_MAX_IN_FLIGHT", "8"}, {"BODY_BUDGET", "9"}}),
     [](const Config& c) {
       EXPECT_EQ(c.header_timeout, std::chrono::seconds(2));
       EXPECT_EQ(c.body_timeout, std::chrono::seconds(3));
       EXPECT_EQ(c.body_min_rate, 0u);
       EXPECT_EQ(c.keepalive_timeout, std::chrono::seconds(4));
       EXPECT_EQ(c.max_connections, 5u);
       EXPECT_EQ(c.max_in_flight, 6u);
       EXPECT_EQ(c.max_streams, 7u);
       EXPECT_EQ(c.deployment_max_in_flight, 8);
       EXPECT_EQ(c.body_budget, 9u << 20);  // in MB
     }},
    {"CaFile", with(base(), {{"AZURE_CA_FILE", "/dev/null"}}),
     [](const Config& c) { EXPECT_EQ(c.ca_file, "/dev/null"); }},
    {"NoKeyMeansEntraId", without(base(), "AZURE_OPENAI_API_KEY"),
     [](const Config& c) {
       auto& e = c.team->endpoints.at(0);
       EXPECT_EQ(e.auth, Auth::entra);
       EXPECT_EQ(e.credential.source, agp::auth::Source::imds_identity);
       EXPECT_EQ(e.credential.scope, "https://cognitiveservices.azure.com/.default");
     }},
    {"NoKeyWithClientSecretAndFoundryScope",
     with(without(base(), "AZURE_OPENAI_API_KEY"), {{"AZURE_TENANT_ID", "t"},
                                                     {"AZURE_CLIENT_ID", "c"},
                                                     {"AZURE_CLIENT_SECRET", "s"},
                                                     {"AZURE_OPENAI_SCOPE", "https://ai.azure.com/.default"}}),
     [](const Config& c) {
       auto& e = c.team->endpoints.at(0);
       EXPECT_EQ(e.credential.source, agp::auth::Source::client_secret);
       EXPECT_EQ(e.credential.scope, "https://ai.azure.com/.default");
       EXPECT_EQ(e.describe_auth().find("AZURE_CLIENT_SECRET=") , std::string::npos);
     }},
    {"KeyWinsOverEntraVariables", with(base(), {{"AZURE_TENANT_ID", "t"}, {"AZURE_CLIENT_ID", "c"}}),
     [](const Config& c) { EXPECT_EQ(c.team->endpoints.at(0).auth, Auth::key); }},
    {"EmptyValueMeansUnset", with(base(), {{"SMALL_MODEL", ""}, {"LISTEN_ADDR", ""}}),
     [](const Config& c) {
       EXPECT_EQ(c.small_model, "gpt-4o");
       EXPECT_EQ(c.listen_port, 8082);
     }},
};

INSTANTIATE_TEST_SUITE_P(Table, ConfigLoad, ::testing::ValuesIn(kOk),
                         [](const auto& info) { return std::string(info.param.name); });

struct ErrCase {
  const char* name;
  Env env;
  const char* names_variable;  // the error message mentions it
};

class ConfigLoadError : public ::testing::TestWithParam<ErrCase> {};

TEST_P(ConfigLoadError, NamesTheVariable) {
  const auto& c = GetParam();
  try {
    load(c.env);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(c.names_variable), std::string::npos) << e.what();
  }
}

const ErrCase kErr[] = {
    {"MissingEndpoint", without(base(), "AZURE_OPENAI_ENDPOINT"), "AZURE_OPENAI_ENDPOINT"},
    {"EmptyEndpoint", with(base(), {{"AZURE_OPENAI_ENDPOINT", ""}}), "AZURE_OPENAI_ENDPOINT"},
    {"EndpointWithoutScheme", with(base(), {{"AZURE_OPENAI_ENDPOINT", "res.openai.azure.com"}}),
     "AZURE_OPENAI_ENDPOINT"},
    {"EndpointFtp", with(base(), {{"AZURE_OPENAI_ENDPOINT", "ftp://res.openai.azure.com"}}), "AZURE_OPENAI_ENDPOINT"},
    {"EndpointWithQuery", with(base(), {{"AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com?api-version=1"}}),
     "AZURE_OPENAI_ENDPOINT"},
    {"EntraWithHttpAuthority",
     with(without(base(), "AZURE_OPENAI_API_KEY"), {{"AZURE_AUTHORITY_HOST", "http://login.example.com"}}),
     "AZURE_AUTHORITY_HOST"},
    {"BadScope", with(without(base(), "AZURE_OPENAI_API_KEY"), {{"AZURE_OPENAI_SCOPE", "cognitiveservices"}}),
     "AZURE_OPENAI_SCOPE"},
    {"MissingBigModel", without(base(), "BIG_MODEL"), "BIG_MODEL"},
    {"BadBigModel", with(base(), {{"BIG_MODEL", "gpt 4o"}}), "BIG_MODEL"},
    {"BadSmallModel", with(base(), {{"SMALL_MODEL", "../x"}}), "SMALL_MODEL"},
    {"BadApiVersion", with(base(), {{"AZURE_API_VERSION", "2024-13"}}), "AZURE_API_VERSION"},
    {"BadApiVersionWord", with(base(), {{"AZURE_API_VERSION", "latest-preview"}}), "AZURE_API_VERSION"},
    {"BadListenAddr", with(base(), {{"LISTEN_ADDR", "nohost"}}), "LISTEN_ADDR"},
    {"BadAspNetCoreUrls", with(base(), {{"ASPNETCORE_URLS", "http://+:notaport"}}), "ASPNETCORE_URLS"},
    {"BadMaxOutputTokens", with(base(), {{"AZURE_MAX_OUTPUT_TOKENS", "lots"}}), "AZURE_MAX_OUTPUT_TOKENS"},
    {"NegativeRetries", with(base(), {{"UPSTREAM_RETRIES", "-1"}}), "UPSTREAM_RETRIES"},
    {"BadBool", with(base(), {{"AZURE_VERIFY_TLS", "maybe"}}), "AZURE_VERIFY_TLS"},
    {"BadLogLevel", with(base(), {{"LOG_LEVEL", "verbose"}}), "LOG_LEVEL"},
    {"ZeroHeaderTimeout", with(base(), {{"HEADER_TIMEOUT", "0"}}), "HEADER_TIMEOUT"},
    {"BadBodyTimeout", with(base(), {{"BODY_TIMEOUT", "10s"}}), "BODY_TIMEOUT"},
    {"NegativeMinRate", with(base(), {{"BODY_MIN_RATE", "-1"}}), "BODY_MIN_RATE"},
    {"ZeroKeepalive", with(base(), {{"KEEPALIVE_TIMEOUT", "0"}}), "KEEPALIVE_TIMEOUT"},
    {"ZeroMaxConnections", with(base(), {{"MAX_CONNECTIONS", "0"}}), "MAX_CONNECTIONS"},
    {"ZeroMaxInFlight", with(base(), {{"MAX_IN_FLIGHT", "0"}}), "MAX_IN_FLIGHT"},
    {"BadMaxStreams", with(base(), {{"MAX_STREAMS", "many"}}), "MAX_STREAMS"},
    {"NegativeDeploymentCap", with(base(), {{"DEPLOYMENT_MAX_IN_FLIGHT", "-2"}}), "DEPLOYMENT_MAX_IN_FLIGHT"},
    {"ZeroBodyBudget", with(base(), {{"BODY_BUDGET", "0"}}), "BODY_BUDGET"},
    {"UnreadableCaFile", with(base(), {{"AZURE_CA_FILE", "/nonexistent/ca.pem"}}), "AZURE_CA_FILE"},
};

INSTANTIATE_TEST_SUITE_P(Table, ConfigLoadError, ::testing::ValuesIn(kErr),
                         [](const auto& info) { return std::string(info.param.name); });

// --- .env files

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    path_ = (std::filesystem::temp_directory_path() /
             ("agp_env_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++)))
                .string();
    std::ofstream(path_) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

struct EnvFileCase {
  const char* name;
  const char* content;
  Env expected;
};

class ReadEnvFile : public ::testing::TestWithParam<EnvFileCase> {};

TEST_P(ReadEnvFile, Parses) {
  const auto& c = GetParam();
  TempFile f(c.content);
  EXPECT_EQ(read_env_file(f.path(), true), c.expected);
}

const EnvFileCase kEnvFiles[] = {
    {"Plain", "A=1\nB=two\n", {{"A", "1"}, {"B", "two"}}},
    {"CommentsAndBlankLines", "# a comment\n\n  # indented comment\nA=1\n", {{"A", "1"}}},
    {"Export", "export AZURE_OPENAI_API_KEY=abc\n", {{"AZURE_OPENAI_API_KEY", "abc"}}},
    {"DoubleQuotes", "A=\"hello world\"\n", {{"A", "hello world"}}},
    {"SingleQuotes", "A='x=y # not a comment'\n", {{"A", "x=y # not a comment"}}},
    {"QuotedHashKept", "A=\"a # b\"\n", {{"A", "a # b"}}},
    {"TrailingCommentOnUnquoted", "A=value # comment\n", {{"A", "value"}}},
    {"HashInsideUnquotedValueKept", "A=abc#def\n", {{"A", "abc#def"}}},
    {"SpacesAroundEquals", "  A =  1  \n", {{"A", "1"}}},
    {"EqualsInValue", "URL=https://x/?a=b\n", {{"URL", "https://x/?a=b"}}},
    {"EmptyValue", "A=\n", {{"A", ""}}},
    {"CrLf", "A=1\r\nB=2\r\n", {{"A", "1"}, {"B", "2"}}},
    {"NoFinalNewline", "A=1", {{"A", "1"}}},
};

INSTANTIATE_TEST_SUITE_P(Table, ReadEnvFile, ::testing::ValuesIn(kEnvFiles),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ReadEnvFileBug, QuotedValueWithTrailingComment) {
  TempFile f("A=\"hello\" # the greeting\n");
  auto env = read_env_file(f.path(), true);
  EXPECT_EQ(env["A"], "hello");
}

TEST(ReadEnvFile, MalformedLineThrowsNamingTheLine) {
  TempFile f("A=1\nthis is not an assignment\n");
  try {
    read_env_file(f.path(), false);
    FAIL() << "no ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("Line 2"), std::string::npos) << e.what();
  }
}

TEST(ReadEnvFile, MissingFile) {
  const std::string path = "/nonexistent/dir/.env";
  EXPECT_TRUE(read_env_file(path, false).empty());
  EXPECT_THROW(read_env_file(path, true), ConfigError);
}

TEST(MergeEnv, EnvironmentWins) {
  Env env{{"A", "from-env"}, {"C", "only-env"}};
  Env file{{"A", "from-file"}, {"B", "only-file"}};
  EXPECT_EQ(merge(env, file), (Env{{"A", "from-env"}, {"B", "only-file"}, {"C", "only-env"}}));
}

TEST(MergeEnv, FileCompletesAConfig) {
  TempFile f(
      "export "
      "AZURE_OPENAI_ENDPOINT=\"https://res.openai.azure.com/"
      "openai\"\nAZURE_OPENAI_API_KEY=file-key\nBIG_MODEL=gpt-4o\n");
  Env env{{"AZURE_OPENAI_API_KEY", "env-key"}};
  auto cfg = load(merge(env, read_env_file(f.path(), true)));
  EXPECT_EQ(cfg.azure_api_key, "env-key");
  EXPECT_EQ(cfg.azure_endpoint, "https://res.openai.azure.com");
  EXPECT_EQ(cfg.big_model, "gpt-4o");
}

TEST(ProcessEnv, SeesTheEnvironment) {
  ::setenv("AGP_CONFIG_TEST_VAR", "v=1", 1);
  auto env = process_env();
  EXPECT_EQ(env["AGP_CONFIG_TEST_VAR"], "v=1");
  ::unsetenv("AGP_CONFIG_TEST_VAR");
}

// --- listen addresses

struct ListenCase {
  const char* input;
  bool ok;
  const char* host;
  std::uint16_t port;
};

class ParseListenAddress : public ::testing::TestWithParam<ListenCase> {};

TEST_P(ParseListenAddress, Parses) {
  const auto& c = GetParam();
  std::string host = "unchanged";
  std::uint16_t port = 1;
  EXPECT_EQ(agp::config::parse_listen_address(c.input, host, port), c.ok) << c.input;
  if (c.ok) {
    EXPECT_EQ(host, c.host) << c.input;
    EXPECT_EQ(port, c.port) << c.input;
  } else {
    EXPECT_EQ(host, "unchanged") << c.input;  // untouched on failure
    EXPECT_EQ(port, 1) << c.input;
  }
}

const ListenCase kListen[] = {
    {"127.0.0.1:8082", true, "127.0.0.1", 8082},
    {"0.0.0.0:80", true, "0.0.0.0", 80},
    {":8080", true, "0.0.0.0", 8080},
    {"localhost:3000", true, "127.0.0.1", 3000},
    {"[::1]:8082", true, "::1", 8082},
    {"[::]:8082", true, "::", 8082},
    {"http://+:8080", true, "0.0.0.0", 8080},
    {"http://*:5000", true, "0.0.0.0", 5000},
    {"http://localhost:5000/", true, "127.0.0.1", 5000},
    {"http://+:8080;https://+:8443", true, "0.0.0.0", 8080},
    {"127.0.0.1:0", true, "127.0.0.1", 0},
    {"8080", false, "", 0},
    {"127.0.0.1:", false, "", 0},
    {"127.0.0.1:65536", false, "", 0},
    {"127.0.0.1:80x", false, "", 0},
    {"127.0.0.1:-1", false, "", 0},
    {"some.host.name:80", false, "", 0},
    {"[::1]8082", false, "", 0},
    {"[::1", false, "", 0},
    {"", false, "", 0},
};

INSTANTIATE_TEST_SUITE_P(Table, ParseListenAddress, ::testing::ValuesIn(kListen));

}  // namespace

TEST(ResponsesApiVersion, FollowsTheChatVersionUnlessGivenItsOwn) {
  agp::config::Env base{
      {"AZURE_OPENAI_ENDPOINT", "https://r.openai.azure.com"}, {"AZURE_OPENAI_API_KEY", "k"}, {"BIG_MODEL", "gpt-5"}};
  auto unset = agp::config::load(base);
  EXPECT_EQ(unset.responses_api_version(), "v1");
  EXPECT_TRUE(unset.responses_api_available());
  auto old = base;
  old["AZURE_API_VERSION"] = "2024-10-21";
  auto c = agp::config::load(old);
  EXPECT_EQ(c.responses_api_version(), "2024-10-21");
  EXPECT_FALSE(c.responses_api_available());
  old["AZURE_RESPONSES_API_VERSION"] = "v1";
  c = agp::config::load(old);
  EXPECT_EQ(c.azure_api_version, "2024-10-21");
  EXPECT_EQ(c.responses_api_version(), "v1");
  EXPECT_TRUE(c.responses_api_available());
  old["AZURE_RESPONSES_API_VERSION"] = "2025-04-01-preview";
  EXPECT_TRUE(agp::config::load(old).responses_api_available());
  old["AZURE_RESPONSES_API_VERSION"] = "soon";
  EXPECT_THROW(agp::config::load(old), agp::config::ConfigError);
}

// --- the memory limit behind BODY_BUDGET's default

TEST(MemoryLimit, ParsesCgroupFiles) {
  EXPECT_EQ(parse_memory_limit("536870912\n"), std::optional<std::uint64_t>(536870912));  // v2, 512 MiB
  EXPECT_EQ(parse_memory_limit("max\n"), std::nullopt);                                   // v2, no limit
  EXPECT_EQ(parse_memory_limit("9223372036854771712"), std::nullopt);                     // v1, no limit
  EXPECT_EQ(parse_memory_limit(""), std::nullopt);
  EXPECT_EQ(parse_memory_limit("12ab"), std::nullopt);
}

TEST(MemoryLimit, BodyBudgetIsAQuarterWithinBounds) {
  constexpr std::uint64_t mb = 1 << 20;
  EXPECT_EQ(default_body_budget(512 * mb), 128 * mb);
  EXPECT_EQ(default_body_budget(64 * mb), 32 * mb);       // floor: one large body still fits
  EXPECT_EQ(default_body_budget(64 * 1024 * mb), 1024 * mb);  // ceiling
  EXPECT_EQ(default_body_budget(std::nullopt), 256 * mb);
}

}  // namespace unit_config_test
