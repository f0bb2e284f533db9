#include "gateway/refusals.hpp"

#include "gateway/app.hpp"

#include "anthropic/errors.hpp"
#include "core/ids.hpp"
#include "openai/errors.hpp"

namespace agp::gateway {

http::Rejection error_reply(exchange::Front front, const Error& e, const std::string& request_id) {
  if (front == exchange::Front::openai_chat) {
    http::Headers h = id_headers(front, request_id);
    if (e.retry_after) h.emplace_back("retry-after", *e.retry_after);
    return {openai::error_status(e), openai::error_json(e), std::move(h)};
  }
  http::Headers h = id_headers(front, request_id);
  if (e.retry_after) h.emplace_back("retry-after", *e.retry_after);
  // Client errors will fail the same way again; tell the SDKs not to retry them.
  if (e.status >= 400 && e.status < 500 && e.status != 429 && e.status != 408)
    h.emplace_back("x-should-retry", "false");
  return {anthropic::error_status(e), anthropic::error_json(e, request_id), std::move(h)};
}

exchange::Front front_of(std::string_view target) {
  auto q = target.find('?');
  auto path = target.substr(0, q);
  bool openai = path.starts_with("/cursor/") || path == "/v1/chat/completions" || path == "/v1/models";
  return openai ? exchange::Front::openai_chat : exchange::Front::anthropic;
}

Error busy(std::string message) { return {529, ErrorKind::overloaded, std::move(message), "1"}; }

namespace {
Error refusal_error(http::Refusal why, const std::string& message) {
  switch (why) {
    case http::Refusal::malformed:
      return Error::invalid(message);
    case http::Refusal::unauthorized:
      return {401, ErrorKind::authentication, message, {}};
    case http::Refusal::timeout:
      return {408, ErrorKind::invalid_request, message, {}};
    case http::Refusal::body_too_large:
      return {413, ErrorKind::request_too_large, message, {}};
    case http::Refusal::headers_too_large:
      return {431, ErrorKind::invalid_request, message, {}};
    case http::Refusal::overloaded:
      return busy(message);
    case http::Refusal::internal:
      break;
  }
  return Error::internal(message);
}
}  // namespace

http::Rejection refuse(std::string_view target, http::Refusal why, const std::string& message) {
  return error_reply(front_of(target), refusal_error(why, message), random_id("req_"));
}

}  // namespace agp::gateway
