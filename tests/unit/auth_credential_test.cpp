// Entra ID credentials: DefaultAzureCredential's order, the token requests each source sends, the
// answers (expires_in / expires_on as numbers or strings; Entra's, IMDS's and App Service's errors),
// and when a token is renewed.
#include "auth/credential.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_auth_credential_test {

namespace {

using namespace agp::auth;
using namespace std::chrono_literals;

struct ChoiceCase {
  const char* name;
  Env env;
  std::string tenant_override, client_override;
  Source source;
  std::string client_id;
};

class CredentialChoice : public ::testing::TestWithParam<ChoiceCase> {};

TEST_P(CredentialChoice, FirstCompleteSourceWins) {
  const auto& c = GetParam();
  auto cred = choose(settings_from_env(c.env), "", c.tenant_override, c.client_override);
  EXPECT_EQ(cred.source, c.source) << source_name(cred.source);
  EXPECT_EQ(cred.client_id, c.client_id);
  EXPECT_EQ(cred.scope, "https://cognitiveservices.azure.com/.default");
  EXPECT_EQ(cred.describe().find("s3cret"), std::string::npos) << cred.describe();
}

const Env kApp{{"AZURE_TENANT_ID", "t"}, {"AZURE_CLIENT_ID", "c"}};
Env plus(Env e, std::initializer_list<std::pair<const std::string, std::string>> more) {
  for (auto& kv : more) e.insert_or_assign(kv.first, kv.second);
  return e;
}

const ChoiceCase kChoices[] = {
    {"SecretFirst",
     plus(kApp, {{"AZURE_CLIENT_SECRET", "s3cret"}, {"AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"},
                 {"AZURE_FEDERATED_TOKEN_FILE", "/t"}, {"IDENTITY_ENDPOINT", "http://127.0.0.1:1/msi/token"},
                 {"IDENTITY_HEADER", "h"}}),
     "", "", Source::client_secret, "c"},
    {"CertificateSecond", plus(kApp, {{"AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"}, {"AZURE_FEDERATED_TOKEN_FILE", "/t"}}),
     "", "", Source::client_certificate, "c"},
    {"WorkloadIdentityThird", plus(kApp, {{"AZURE_FEDERATED_TOKEN_FILE", "/t"}, {"IDENTITY_ENDPOINT", "http://x/"},
                                          {"IDENTITY_HEADER", "h"}}),
     "", "", Source::workload_identity, "c"},
    {"SecretWithoutTenantIsNotUsed", {{"AZURE_CLIENT_ID", "c"}, {"AZURE_CLIENT_SECRET", "s3cret"}}, "", "",
     Source::imds_identity, "c"},
    {"TenantFromTheEndpoint", {{"AZURE_CLIENT_ID", "c"}, {"AZURE_CLIENT_SECRET", "s3cret"}}, "t2", "",
     Source::client_secret, "c"},
    {"AppServiceIdentity", {{"IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"}, {"IDENTITY_HEADER", "h"}}, "",
     "", Source::app_service_identity, ""},
    {"ImdsSystemAssigned", {}, "", "", Source::imds_identity, ""},
    {"ImdsUserAssignedByClientId", {{"AZURE_CLIENT_ID", "mi"}}, "", "", Source::imds_identity, "mi"},
    {"ClientIdFromTheEndpoint", {{"AZURE_CLIENT_ID", "mi"}}, "", "mi-2", Source::imds_identity, "mi-2"},
};

INSTANTIATE_TEST_SUITE_P(Table, CredentialChoice, ::testing::ValuesIn(kChoices),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Settings, UrlsAreChecked) {
  EXPECT_EQ(validate(settings_from_env({})), "");
  EXPECT_EQ(settings_from_env({}).authority_host, "https://login.microsoftonline.com");
  EXPECT_EQ(settings_from_env({}).imds_host, "http://169.254.169.254");
  EXPECT_EQ(validate(settings_from_env({{"AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us/"}})), "");
  EXPECT_EQ(validate(settings_from_env({{"AZURE_AUTHORITY_HOST", "http://127.0.0.1:5000"}})), "");
  EXPECT_NE(validate(settings_from_env({{"AZURE_AUTHORITY_HOST", "http://login.example.com"}})), "");
  EXPECT_NE(validate(settings_from_env({{"AZURE_AUTHORITY_HOST", "login.microsoftonline.com"}})), "");
  EXPECT_NE(validate(settings_from_env({{"AZURE_POD_IDENTITY_AUTHORITY_HOST", "ftp://x"}})), "");
  EXPECT_EQ(settings_from_env({{"AZURE_AUTHORITY_HOST", "https://login.microsoftonline.us/"}}).authority_host,
            "https://login.microsoftonline.us");
}

std::set<std::string> fields(const std::string& form) {
  std::set<std::string> out;
  std::size_t at = 0;
  while (at <= form.size()) {
    auto amp = form.find('&', at);
    out.insert(form.substr(at, amp == std::string::npos ? std::string::npos : amp - at));
    if (amp == std::string::npos) break;
    at = amp + 1;
  }
  return out;
}

TEST(TokenRequest, ClientCredentialsFormPost) {
  auto c = choose(settings_from_env(plus(kApp, {{"AZURE_CLIENT_SECRET", "a b&c"}})), "https://ai.azure.com/.default");
  auto r = token_request(c);
  EXPECT_TRUE(r.post);
  EXPECT_EQ(r.url, "https://login.microsoftonline.com/t/oauth2/v2.0/token");
  EXPECT_EQ(fields(r.body), (std::set<std::string>{"grant_type=client_credentials", "client_id=c",
                                                   "scope=https%3A%2F%2Fai.azure.com%2F.default",
                                                   "client_secret=a%20b%26c"}));
  auto cert = choose(settings_from_env(plus(kApp, {{"AZURE_CLIENT_CERTIFICATE_PATH", "/c.pem"}})), "");
  auto rc = token_request(cert, "h.p.s");
  EXPECT_EQ(fields(rc.body),
            (std::set<std::string>{"grant_type=client_credentials", "client_id=c",
                                   "scope=https%3A%2F%2Fcognitiveservices.azure.com%2F.default",
                                   "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer",
                                   "client_assertion=h.p.s"}));
}

TEST(TokenRequest, ManagedIdentityGets) {
  auto imds = choose(settings_from_env({{"AZURE_CLIENT_ID", "mi"}}), "");
  auto r = token_request(imds);
  EXPECT_FALSE(r.post);
  EXPECT_EQ(r.url,
            "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2F"
            "cognitiveservices.azure.com&client_id=mi");
  EXPECT_NE(std::find(r.headers.begin(), r.headers.end(), std::pair<std::string, std::string>{"metadata", "true"}),
            r.headers.end());
  auto app = choose(settings_from_env({{"IDENTITY_ENDPOINT", "http://127.0.0.1:41000/msi/token"}, {"IDENTITY_HEADER", "h1"}}),
                    "https://ai.azure.com/.default");
  auto ra = token_request(app);
  EXPECT_EQ(ra.url, "http://127.0.0.1:41000/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fai.azure.com");
  EXPECT_NE(std::find(ra.headers.begin(), ra.headers.end(), std::pair<std::string, std::string>{"x-identity-header", "h1"}),
            ra.headers.end());
  EXPECT_EQ(resource_of("api://my-app/.default"), "api://my-app");
}

struct AnswerCase {
  const char* name;
  unsigned status;
  const char* body;
  long lifetime_s;                         // -1: an error is expected
  std::vector<const char*> error_contains;  // and these are in its message
  std::vector<const char*> error_lacks;
};

class TokenAnswer : public ::testing::TestWithParam<AnswerCase> {};

const auto kNow = Clock::time_point(std::chrono::seconds(1'800'000'000));

TEST_P(TokenAnswer, Parses) {
  const auto& c = GetParam();
  auto t = parse_token_response(c.status, c.body, kNow);
  if (c.lifetime_s >= 0) {
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->value, "tok");
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(t->expires_on - kNow).count(), c.lifetime_s);
    return;
  }
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().kind, agp::ErrorKind::upstream_auth);
  for (auto* s : c.error_contains) EXPECT_NE(t.error().message.find(s), std::string::npos) << t.error().message;
  for (auto* s : c.error_lacks) EXPECT_EQ(t.error().message.find(s), std::string::npos) << t.error().message;
}

const AnswerCase kAnswers[] = {
    // Entra's v2.0 endpoint: numbers.
    {"EntraExpiresIn", 200, R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"tok"})",
     3599, {}, {}},
    // IMDS: every number a string; expires_in wins over expires_on.
    {"ImdsStrings", 200,
     R"({"access_token":"tok","refresh_token":"","expires_in":"86399","expires_on":"1800000999","not_before":"1799999999","resource":"https://cognitiveservices.azure.com","token_type":"Bearer"})",
     86399, {}, {}},
    // App Service 2019-08-01: expires_on only, epoch seconds as a string.
    {"AppServiceExpiresOn", 200, R"({"access_token":"tok","expires_on":"1800003600","resource":"r","token_type":"Bearer"})",
     3600, {}, {}},
    {"ExpiresOnNumber", 200, R"({"access_token":"tok","expires_on":1800000060})", 60, {}, {}},
    {"NoExpiry", 200, R"({"access_token":"tok"})", -1, {"neither expires_in nor expires_on"}, {}},
    {"NoToken", 200, R"({"expires_in":3599})", -1, {"no access_token"}, {}},
    {"EntraWrongSecret", 401,
     "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret provided. Ensure the "
     "secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app "
     "'c'.\\r\\nTrace ID: 0000\\r\\nCorrelation ID: 1111\\r\\nTimestamp: 2026-01-01 00:00:00Z\",\"error_codes\":[7000215]}",
     -1, {"HTTP 401 invalid_client: AADSTS7000215: Invalid client secret provided."}, {"Trace ID", "1111"}},
    {"ImdsNoIdentity", 400, R"({"error":"invalid_request","error_description":"Identity not found"})", -1,
     {"HTTP 400 invalid_request: Identity not found"}, {}},
    {"AppServiceShape", 400, R"({"statusCode":400,"message":"Unable to load the proper Managed Identity."})", -1,
     {"HTTP 400: Unable to load the proper Managed Identity."}, {}},
    {"NotJson", 502, "<html>Bad Gateway</html>", -1, {"HTTP 502: <html>Bad Gateway</html>"}, {}},
};

INSTANTIATE_TEST_SUITE_P(Table, TokenAnswer, ::testing::ValuesIn(kAnswers),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TokenSchedule, RenewedBeforeExpiry) {
  struct Row {
    Clock::duration lifetime, refresh_after, usable_for;
  };
  const Row rows[] = {
      {1h, 55min, 1h - 30s},       // five minutes before expiry
      {24h, 12h, 24h - 30s},       // managed identity's day-long tokens: half-way
      {2h, 1h, 2h - 30s},
      {4s, 2s, 4s - 400ms},        // short-lived (the tests'): half-way, used until the last tenth
      {0s, 0s, 0s},                // already expired: never used
  };
  for (auto& r : rows) {
    auto t = schedule("x", kNow, kNow + r.lifetime);
    EXPECT_EQ(t.refresh_at - kNow, r.refresh_after);
    EXPECT_EQ(t.usable_until - kNow, r.usable_for);
    EXPECT_LE(t.refresh_at, t.usable_until);
  }
}

TEST(Aadsts, CodeFromDescription) {
  EXPECT_EQ(aadsts_code("AADSTS700016: Application with identifier"), "AADSTS700016");
  EXPECT_EQ(aadsts_code("HTTP 401 invalid_client: AADSTS7000215: Invalid"), "AADSTS7000215");
  EXPECT_EQ(aadsts_code("Identity not found"), "");
  EXPECT_EQ(aadsts_code("AADSTS: none"), "");
}

}  // namespace

}  // namespace unit_auth_credential_test
