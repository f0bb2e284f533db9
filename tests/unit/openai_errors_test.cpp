// openai::error_body / error_status / error_json: every ErrorKind in the OpenAI error shape, with the
// statuses Cursor can display (upstream credentials → 400, 5xx → 502/503/504).
#include "openai/errors.hpp"

#include <gtest/gtest.h>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_openai_errors_test {

namespace {

namespace json = boost::json;
using agp::Error;
using agp::ErrorKind;

struct Case {
  const char* name;
  Error error;
  unsigned status;
  const char* type;
  const char* code;  // nullptr = JSON null
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class OpenAIErrors : public ::testing::TestWithParam<Case> {};

TEST_P(OpenAIErrors, Renders) {
  const auto& c = GetParam();
  EXPECT_EQ(agp::openai::error_status(c.error), c.status);
  auto body = agp::openai::error_body(c.error);
  json::object want_err{{"message", c.error.message},
                        {"type", c.type},
                        {"param", nullptr},
                        {"code", c.code ? json::value(c.code) : json::value(nullptr)}};
  EXPECT_EQ(body, (json::object{{"error", want_err}})) << json::serialize(body);
  EXPECT_EQ(json::parse(agp::openai::error_json(c.error)), json::value(body));
}

const Case kCases[] = {
    {"InvalidRequest", Error::invalid("messages: must be a non-empty array"), 400, "invalid_request_error", nullptr},
    {"Authentication",
     {401, ErrorKind::authentication, "invalid proxy token", {}},
     401,
     "authentication_error",
     "invalid_api_key"},
    {"Permission", {403, ErrorKind::permission, "forbidden", {}}, 403, "permission_error", nullptr},
    {"NotFound",
     {404, ErrorKind::not_found, "Azure deployment 'x' was not found", {}},
     404,
     "not_found_error",
     "model_not_found"},
    {"RequestTooLarge",
     {413, ErrorKind::request_too_large, "body too large", {}},
     413,
     "invalid_request_error",
     nullptr},
    {"RateLimit",
     {429, ErrorKind::rate_limit, "Azure OpenAI rate limit", std::string("20")},
     429,
     "rate_limit_error",
     "rate_limit_exceeded"},
    {"ApiIs502", Error::internal("Azure OpenAI failed (HTTP 500)"), 502, "server_error", nullptr},
    {"UpstreamAuthIs400",
     {500, ErrorKind::upstream_auth, "Azure OpenAI rejected the proxy's credentials", {}},
     400,
     "invalid_request_error",
     nullptr},
    {"TimeoutIs504", {504, ErrorKind::upstream_timeout, "Azure OpenAI timed out", {}}, 504, "timeout_error", "timeout"},
    {"OverloadedIs503", {529, ErrorKind::overloaded, "Azure OpenAI is overloaded", {}}, 503, "server_error", nullptr},
};

INSTANTIATE_TEST_SUITE_P(OpenAIErrors, OpenAIErrors, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(OpenAIErrorsStatus, NeverAuthStatusForUpstreamCredentials) {
  // Cursor hides the body of a 401: the proxy's own credential problem must never be one.
  Error e{401, ErrorKind::upstream_auth, "x", {}};
  EXPECT_EQ(agp::openai::error_status(e), 400u);
}

}  // namespace

}  // namespace unit_openai_errors_test
