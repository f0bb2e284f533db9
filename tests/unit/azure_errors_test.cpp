// openai::map_azure_error (DESIGN's Errors table) and the Anthropic rendering of the result.
#include "openai/azure_errors.hpp"

#include "anthropic/errors.hpp"

#include <gtest/gtest.h>

#include <optional>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_azure_errors_test {

namespace {

namespace json = boost::json;
using agp::openai::map_azure_error;
using agp::openai::UpstreamContext;

const UpstreamContext kCtx{"gpt-4o-prod", "https://res.openai.azure.com"};

struct Case {
  const char* name;
  unsigned status;
  const char* body;
  const char* retry_after_header;
  unsigned anthropic_status;   // anthropic::error_status
  const char* anthropic_type;  // anthropic::error_type
  const char* exact_message;   // nullptr = not checked exactly
  std::vector<const char*> message_contains;
  std::optional<std::string> retry_after;
};

class AzureErrors : public ::testing::TestWithParam<Case> {};

TEST_P(AzureErrors, Maps) {
  const auto& c = GetParam();
  auto e = map_azure_error(c.status, c.body, c.retry_after_header, kCtx);
  EXPECT_EQ(agp::anthropic::error_status(e), c.anthropic_status) << e.message;
  EXPECT_EQ(agp::anthropic::error_type(e), c.anthropic_type) << e.message;
  if (c.exact_message) {
    EXPECT_EQ(e.message, c.exact_message);
  }
  for (auto* s : c.message_contains) EXPECT_NE(e.message.find(s), std::string::npos) << e.message << "\nlacks: " << s;
  EXPECT_EQ(e.retry_after, c.retry_after);
  // Never 401 to the client: Claude Code would ask the user to log in again.
  EXPECT_NE(agp::anthropic::error_status(e), 401u);
  // The API key never appears; the endpoint may.
  EXPECT_EQ(e.message.find("api-key"), std::string::npos);
}

const Case kCases[] = {
    {"ContextLengthResultedIn",
     400,
     R"({"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})",
     "",
     400,
     "invalid_request_error",
     "prompt is too long: 130512 tokens > 128000 maximum",
     {},
     std::nullopt},
    {"ContextLengthYouRequested",
     400,
     R"({"error":{"message":"This model's maximum context length is 32768 tokens. However, you requested 35969 tokens (9969 in the messages, 26000 in the completion). Please reduce the length of the messages or completion.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})",
     "",
     400,
     "invalid_request_error",
     "prompt is too long: 35969 tokens > 32768 maximum",
     {},
     std::nullopt},
    {"ContextLengthUnknownWording",
     400,
     R"({"error":{"message":"Input is too long for this model.","code":"context_length_exceeded"}})",
     "",
     400,
     "invalid_request_error",
     nullptr,
     {"prompt is too long"},
     std::nullopt},
    {"PromptContentFilter",
     400,
     R"({"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,
        "innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{
          "hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":true,"detected":true},
          "self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":true,"severity":"medium"},
          "violence":{"filtered":false,"severity":"safe"}}}}})",
     "",
     400,
     "invalid_request_error",
     nullptr,
     {"content filter", "jailbreak", "sexual (medium)"},
     std::nullopt},
    {"OtherBadRequest",
     400,
     R"({"error":{"message":"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}})",
     "",
     400,
     "invalid_request_error",
     nullptr,
     {"Unsupported parameter: 'max_tokens'"},
     std::nullopt},
    {"Unauthorized",
     401,
     R"({"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint."}})",
     "",
     500,
     "api_error",
     nullptr,
     {"credentials", "AZURE_OPENAI_API_KEY", "invalid subscription key"},
     std::nullopt},
    {"Forbidden",
     403,
     R"({"error":{"code":"PermissionDenied","message":"Principal does not have access."}})",
     "",
     500,
     "api_error",
     nullptr,
     {"credentials", "403"},
     std::nullopt},
    // API Management's token-limit policy: a spent quota is a 403 that is a rate limit.
    {"ApimTokenQuota",
     403,
     R"({ "statusCode": 403, "message": "Token quota is exceeded. Try again in 21 minutes and 33 seconds." })",
     "",
     429,
     "rate_limit_error",
     nullptr,
     {"token quota", "gpt-4o-prod", "Token quota is exceeded"},
     std::string("1293")},
    {"ApimTokenQuotaRetryAfterHeader",
     403,
     R"({ "statusCode": 403, "message": "Token quota is exceeded. Try again in 21 minutes and 33 seconds." })",
     "1300",
     429,
     "rate_limit_error",
     nullptr,
     {},
     std::string("1300")},
    {"ApimCallVolumeQuota",
     403,
     R"({ "statusCode": 403, "message": "Out of call volume quota. Quota will be replenished in 1.02:03:04." })",
     "",
     429,
     "rate_limit_error",
     nullptr,
     {"Out of call volume quota"},
     std::string("93784")},
    {"ApimTokenRate",
     429,
     R"({ "statusCode": 429, "message": "Token limit is exceeded. Try again in 53 seconds." })",
     "",
     429,
     "rate_limit_error",
     nullptr,
     {"Token limit is exceeded"},
     std::string("53")},
    // 403s that are about the credentials or the network, not a quota.
    {"KeyAuthDisabled",
     403,
     R"({"error":{"code":"AuthenticationTypeDisabled","message":"Key based authentication is disabled for this resource."}})",
     "",
     500,
     "api_error",
     nullptr,
     {"credentials", "Key based authentication is disabled"},
     std::nullopt},
    {"Firewall",
     403,
     R"({"error":{"code":"403","message":"Access denied due to Virtual Network/Firewall rules."}})",
     "",
     500,
     "api_error",
     nullptr,
     {"credentials", "Firewall"},
     std::nullopt},
    {"EntraTokenRefused",
     401,
     R"({"statusCode": 401, "message": "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), or have expired."})",
     "",
     500,
     "api_error",
     nullptr,
     {"credentials", "audience is incorrect"},
     std::nullopt},
    {"ApimMissingSubscriptionKey",
     401,
     R"({ "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." })",
     "",
     500,
     "api_error",
     nullptr,
     {"missing subscription key"},
     std::nullopt},
    {"DeploymentNotFound",
     404,
     R"({"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again."}})",
     "",
     404,
     "not_found_error",
     nullptr,
     {"gpt-4o-prod", "https://res.openai.azure.com", "does not exist"},
     std::nullopt},
    {"Other404",
     404,
     R"({"error":{"code":"404","message":"Resource not found"}})",
     "",
     404,
     "not_found_error",
     nullptr,
     {"gpt-4o-prod", "https://res.openai.azure.com"},
     std::nullopt},
    {"RateLimitWithHeader",
     429,
     R"({"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier."}})",
     "12",
     429,
     "rate_limit_error",
     nullptr,
     {"rate limit", "gpt-4o-prod"},
     std::string("12")},
    {"RateLimitRetryInMessage",
     429,
     R"({"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit."}})",
     "",
     429,
     "rate_limit_error",
     nullptr,
     {"exceeded token rate limit"},
     std::string("6")},
    {"RateLimitHeaderWinsOverMessage",
     429,
     R"({"error":{"code":"429","message":"Please retry after 6 seconds."}})",
     "20",
     429,
     "rate_limit_error",
     nullptr,
     {},
     std::string("20")},
    {"RateLimitWithoutHint",
     429,
     R"({"error":{"code":"429","message":"Too many requests"}})",
     "",
     429,
     "rate_limit_error",
     nullptr,
     {},
     std::nullopt},
    {"InternalServerError",
     500,
     R"({"error":{"code":"InternalServerError","message":"The server had an error while processing your request."}})",
     "",
     500,
     "api_error",
     nullptr,
     {"The server had an error"},
     std::nullopt},
    {"ServiceUnavailable",
     503,
     R"({"error":{"code":"ServiceUnavailable","message":"The service is temporarily unable to process your request."}})",
     "",
     529,
     "overloaded_error",
     nullptr,
     {"temporarily unable"},
     std::nullopt},
    {"GatewayTimeout", 504, "", "", 504, "timeout_error", nullptr, {"504"}, std::nullopt},
    {"HtmlBadGateway",
     502,
     "<html><body>502 Bad Gateway</body></html>",
     "",
     500,
     "api_error",
     nullptr,
     {"502 Bad Gateway"},
     std::nullopt},
};

INSTANTIATE_TEST_SUITE_P(Table, AzureErrors, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(AzureErrors, CredentialRefusalsSayWhatToCheck) {
  UpstreamContext ctx = kCtx;
  ctx.auth = "The proxy sent an Entra ID token of the managed identity at IMDS.";
  auto e = map_azure_error(401, R"({"error":{"code":"PermissionDenied","message":"The principal lacks the required data action."}})",
                           "", ctx);
  EXPECT_EQ(e.kind, agp::ErrorKind::upstream_auth);
  EXPECT_NE(e.message.find("lacks the required data action. The proxy sent an Entra ID token"), std::string::npos)
      << e.message;
  EXPECT_EQ(e.message.find("AZURE_OPENAI_API_KEY"), std::string::npos) << e.message;
}

TEST(AzureErrors, QuotaOnlyIn403s) {
  using agp::openai::is_quota_exhausted;
  EXPECT_TRUE(is_quota_exhausted(403, "Token quota is exceeded. Try again in 5 minutes and 2 seconds."));
  EXPECT_TRUE(is_quota_exhausted(403, "Out of bandwidth quota. Quota will be replenished in 00:10:00."));
  EXPECT_FALSE(is_quota_exhausted(403, "Key based authentication is disabled for this resource."));
  EXPECT_FALSE(is_quota_exhausted(403, "The principal lacks the required data action."));
  EXPECT_FALSE(is_quota_exhausted(403, "Your quota is fine."));
  EXPECT_FALSE(is_quota_exhausted(429, "Token quota is exceeded."));
}

TEST(AzureErrors, WaitsNamedInMessages) {
  using agp::openai::wait_named_in;
  EXPECT_EQ(wait_named_in("Please retry after 6 seconds."), "6");
  EXPECT_EQ(wait_named_in("Token limit is exceeded. Try again in 53 seconds."), "53");
  EXPECT_EQ(wait_named_in("Token quota is exceeded. Try again in 21 minutes and 33 seconds."), "1293");
  EXPECT_EQ(wait_named_in("Token quota is exceeded. Try again in 2 hours, 1 minute and 1 second."), "7261");
  EXPECT_EQ(wait_named_in("Out of call volume quota. Quota will be replenished in 00:00:29."), "29");
  EXPECT_EQ(wait_named_in("Quota will be replenished in 2.00:00:01."), "172801");
  EXPECT_EQ(wait_named_in("Too many requests"), "");
}

TEST(AzureErrors, FilteredCategories) {
  auto v = json::parse(R"({"hate":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"high"},
                           "protected_material_code":{"filtered":true,"detected":true},"error":{"code":"x","message":"y"}})");
  auto cats = agp::openai::filtered_categories(&v);
  EXPECT_NE(cats.find("violence (high)"), std::string::npos) << cats;
  EXPECT_NE(cats.find("protected_material_code"), std::string::npos) << cats;
  EXPECT_EQ(cats.find("hate"), std::string::npos) << cats;
  EXPECT_EQ(agp::openai::filtered_categories(nullptr), "");
}

struct TransportCase {
  const char* name;
  agp::upstream::TransportFailure what;
  unsigned anthropic_status;
  const char* anthropic_type;
};

class TransportErrors : public ::testing::TestWithParam<TransportCase> {};

TEST_P(TransportErrors, Maps) {
  const auto& c = GetParam();
  auto e = agp::openai::map_transport_error({c.what, "detail text", true}, kCtx);
  EXPECT_EQ(agp::anthropic::error_status(e), c.anthropic_status) << e.message;
  EXPECT_EQ(agp::anthropic::error_type(e), c.anthropic_type) << e.message;
  EXPECT_FALSE(e.message.empty());
}

using agp::upstream::TransportFailure;
const TransportCase kTransportCases[] = {
    {"Connect", TransportFailure::connect, 500, "api_error"},
    {"Tls", TransportFailure::tls, 500, "api_error"},
    {"FirstByteTimeout", TransportFailure::first_byte_timeout, 504, "timeout_error"},
    {"IdleTimeout", TransportFailure::idle_timeout, 504, "timeout_error"},
    {"Reset", TransportFailure::reset, 529, "overloaded_error"},
    {"Protocol", TransportFailure::protocol, 500, "api_error"},
};

INSTANTIATE_TEST_SUITE_P(Table, TransportErrors, ::testing::ValuesIn(kTransportCases),
                         [](const auto& info) { return std::string(info.param.name); });

// --- Anthropic rendering

struct RenderCase {
  const char* name;
  agp::Error error;
  const char* request_id;
  unsigned status;
  const char* json;
};

class AnthropicErrorRendering : public ::testing::TestWithParam<RenderCase> {};

TEST_P(AnthropicErrorRendering, Renders) {
  const auto& c = GetParam();
  EXPECT_EQ(agp::anthropic::error_status(c.error), c.status);
  EXPECT_EQ(json::parse(agp::anthropic::error_json(c.error, c.request_id)), json::parse(c.json));
  auto ev = agp::anthropic::error_event(c.error, c.request_id);
  EXPECT_EQ(ev.type, "error");
  EXPECT_EQ(json::value(ev.data), json::parse(c.json));
  EXPECT_EQ(agp::anthropic::to_sse(ev),
            "event: error\ndata: " + agp::anthropic::error_json(c.error, c.request_id) + "\n\n");
}

using agp::ErrorKind;
const RenderCase kRenderCases[] = {
    {"Invalid", agp::Error::invalid("messages: Field required"), "", 400,
     R"({"type":"error","error":{"type":"invalid_request_error","message":"messages: Field required"}})"},
    {"WithRequestId", agp::Error::invalid("x"), "req_123", 400,
     R"({"type":"error","error":{"type":"invalid_request_error","message":"x"},"request_id":"req_123"})"},
    {"Internal", agp::Error::internal("boom"), "", 500,
     R"({"type":"error","error":{"type":"api_error","message":"boom"}})"},
    {"Authentication", agp::Error{401, ErrorKind::authentication, "bad token", {}}, "", 401,
     R"({"type":"error","error":{"type":"authentication_error","message":"bad token"}})"},
    {"Permission", agp::Error{403, ErrorKind::permission, "no", {}}, "", 403,
     R"({"type":"error","error":{"type":"permission_error","message":"no"}})"},
    {"NotFound", agp::Error{404, ErrorKind::not_found, "nf", {}}, "", 404,
     R"({"type":"error","error":{"type":"not_found_error","message":"nf"}})"},
    {"TooLarge", agp::Error{413, ErrorKind::request_too_large, "big", {}}, "", 413,
     R"({"type":"error","error":{"type":"request_too_large","message":"big"}})"},
    {"RateLimit", agp::Error{429, ErrorKind::rate_limit, "slow", std::string("5")}, "", 429,
     R"({"type":"error","error":{"type":"rate_limit_error","message":"slow"}})"},
    {"Timeout", agp::Error{504, ErrorKind::upstream_timeout, "late", {}}, "", 504,
     R"({"type":"error","error":{"type":"timeout_error","message":"late"}})"},
    {"OverloadedIs529", agp::Error{503, ErrorKind::overloaded, "busy", {}}, "", 529,
     R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})"},
    {"MessageEscaped", agp::Error::invalid("say \"hi\"\n"), "", 400,
     R"({"type":"error","error":{"type":"invalid_request_error","message":"say \"hi\"\n"}})"},
};

INSTANTIATE_TEST_SUITE_P(Table, AnthropicErrorRendering, ::testing::ValuesIn(kRenderCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace

TEST(OutputLimitFromError, ReadsTheDeploymentsLimit) {
  using agp::openai::output_limit_from_error;
  EXPECT_EQ(
      output_limit_from_error(
          R"({"error":{"message":"max_tokens is too large: 32000. This model supports at most 16384 completion tokens, whereas you provided 32000.","type":"invalid_request_error","param":"max_tokens","code":null}})"),
      16384);
  EXPECT_EQ(output_limit_from_error("This model supports at most 4096 completion tokens"), 4096);
  EXPECT_FALSE(output_limit_from_error(
      R"({"error":{"code":"context_length_exceeded","message":"maximum context length is 128000 tokens"}})"));
  EXPECT_FALSE(output_limit_from_error("supports at most 99999999999999 completion tokens"));  // absurd: ignored
}

// Answers that are not Azure's JSON: a gateway's HTML page is named by its title (or heading),
// and a 2xx of the wrong content type becomes the proxy's own error.
TEST(NotAzureJson, HtmlPagesAreNamedByTheirTitle) {
  using agp::openai::body_summary;
  EXPECT_EQ(body_summary("<html><head><title>502 Bad Gateway</title></head><body><h1>x</h1></body></html>"),
            "an HTML page (502 Bad Gateway), not Azure's JSON: a gateway or proxy in front of Azure answered");
  EXPECT_NE(body_summary("\r\n<HTML><BODY><H1>Service\n  Unavailable</H1></BODY></HTML>").find("(Service Unavailable)"),
            std::string::npos);
  EXPECT_EQ(body_summary("upstream connect error\nor disconnect"), "upstream connect error or disconnect");
  auto e = map_azure_error(503, "<html><title>503 Service Temporarily Unavailable</title></html>", "", kCtx);
  EXPECT_NE(e.message.find("HTTP 503): an HTML page (503 Service Temporarily Unavailable)"), std::string::npos)
      << e.message;
}

TEST(NotAzureJson, ContentTypeMustFitTheRequest) {
  using agp::openai::content_type_fits;
  EXPECT_TRUE(content_type_fits("text/event-stream; charset=utf-8", true));
  EXPECT_TRUE(content_type_fits("Text/Event-Stream", true));
  EXPECT_TRUE(content_type_fits("application/json; charset=utf-8", false));
  EXPECT_TRUE(content_type_fits("application/problem+json", false));
  EXPECT_TRUE(content_type_fits("", true));  // none given: taken on trust
  EXPECT_FALSE(content_type_fits("application/json", true));
  EXPECT_FALSE(content_type_fits("text/html", true));
  EXPECT_FALSE(content_type_fits("text/html", false));
  EXPECT_FALSE(content_type_fits("text/event-stream", false));
  auto e = agp::openai::unexpected_content_type(200, "application/json", true,
                                                R"({"error":{"code":"500","message":"Backend returned unexpected response"}})",
                                                kCtx);
  EXPECT_EQ(e.kind, agp::ErrorKind::api);
  EXPECT_EQ(e.message,
            "Azure OpenAI deployment 'gpt-4o-prod' answered HTTP 200 with content-type application/json instead of "
            "text/event-stream: Azure OpenAI failed (HTTP 500): Backend returned unexpected response");
}

}  // namespace unit_azure_errors_test
