#include "openai/errors.hpp"

namespace agp::openai {

namespace {
const char* type_of(const Error& e) {
  switch (e.kind) {
    case ErrorKind::invalid_request:
      return "invalid_request_error";
    case ErrorKind::authentication:
      return "authentication_error";
    case ErrorKind::permission:
      return "permission_error";
    case ErrorKind::not_found:
      return "not_found_error";
    case ErrorKind::request_too_large:
      return "invalid_request_error";
    case ErrorKind::rate_limit:
      return "rate_limit_error";
    case ErrorKind::upstream_timeout:
      return "timeout_error";
    case ErrorKind::overloaded:
      return "server_error";
    case ErrorKind::api:
      return "server_error";
    case ErrorKind::upstream_auth:
      return "invalid_request_error";
  }
  return "server_error";
}
const char* code_of(const Error& e) {
  switch (e.kind) {
    case ErrorKind::authentication:
      return "invalid_api_key";
    case ErrorKind::rate_limit:
      return "rate_limit_exceeded";
    case ErrorKind::not_found:
      return "model_not_found";
    case ErrorKind::upstream_timeout:
      return "timeout";
    default:
      return nullptr;
  }
}
}  // namespace

unsigned error_status(const Error& e) {
  switch (e.kind) {
    case ErrorKind::upstream_auth:
      return 400;  // Cursor hides 401 bodies; this one it shows
    case ErrorKind::api:
      return 502;
    case ErrorKind::overloaded:
      return 503;
    case ErrorKind::upstream_timeout:
      return 504;
    default:
      return e.status;
  }
}

boost::json::object error_body(const Error& e) {
  boost::json::object err{{"message", e.message}, {"type", type_of(e)}, {"param", nullptr}, {"code", nullptr}};
  if (!e.param.empty()) err["param"] = e.param;
  if (!e.code.empty())
    err["code"] = e.code;
  else if (auto* c = code_of(e))
    err["code"] = c;
  return {{"error", std::move(err)}};
}

std::string error_json(const Error& e) { return boost::json::serialize(error_body(e)); }

}  // namespace agp::openai
