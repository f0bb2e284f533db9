#include "anthropic/errors.hpp"

namespace agp::anthropic {

std::string_view error_type(const Error& e) {
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
      return "request_too_large";
    case ErrorKind::rate_limit:
      return "rate_limit_error";
    case ErrorKind::api:
      return "api_error";
    case ErrorKind::upstream_auth:
      return "api_error";
    case ErrorKind::upstream_timeout:
      return "timeout_error";
    case ErrorKind::overloaded:
      return "overloaded_error";
  }
  return "api_error";
}

unsigned error_status(const Error& e) {
  if (e.kind == ErrorKind::overloaded) return 529;
  return e.status;
}

json::object error_body(const Error& e, std::string_view request_id) {
  json::object body;
  body["type"] = "error";
  body["error"] = json::object{{"type", error_type(e)}, {"message", e.message}};
  if (!request_id.empty()) body["request_id"] = request_id;
  return body;
}

std::string error_json(const Error& e, std::string_view request_id) {
  return json::serialize(error_body(e, request_id));
}

Event error_event(const Error& e, std::string_view request_id) { return Event{"error", error_body(e, request_id)}; }

}  // namespace agp::anthropic
