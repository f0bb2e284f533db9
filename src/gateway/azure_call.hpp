// Calling Azure OpenAI: URL building, auth header, retries before anything reached the client.
#pragma once

#include "auth/token_cache.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "http/server.hpp"
#include "openai/azure_errors.hpp"
#include "upstream/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <boost/json.hpp>

#include <chrono>

#include <mutex>
#include <optional>
#include <unordered_map>

#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace agp::gateway {

// The endpoint's Responses API URL, or an error naming the fix when its api-version has none.
Result<std::string> responses_url(const config::Endpoint& e);

// Seconds Azure asked to wait: retry-after-ms, x-ms-retry-after-ms, or retry-after (seconds or an
// HTTP date); -1 when it said nothing.
double retry_after_seconds(std::string_view retry_after_ms, std::string_view x_ms_retry_after_ms,
                           std::string_view retry_after, std::chrono::system_clock::time_point now);

struct AzureAnswer {
  std::unique_ptr<upstream::Response> response;  // set when Azure answered 2xx
  std::optional<Error> error;                    // set otherwise (already mapped)
  unsigned upstream_status = 0;                  // 0 = no HTTP answer
  std::string error_body, retry_after;           // Azure's raw error answer, for recordings
  double retry_after_s = -1;                     // what Azure asked to wait, -1 = nothing
  std::optional<TransportFailure> transport;     // no HTTP answer: why
  bool credential_failed = false;                // no Entra ID token: nothing was sent
  int attempts = 0;
  std::vector<std::string> retried;  // why each retry was made (failure_reason of the attempt)
  std::string azure_request_id;      // Azure's apim-request-id (or x-request-id) of the last answer
};

// Why an attempt failed, for metrics and logs: http_<status>, or the transport failure's name.
std::string failure_reason(unsigned upstream_status, std::optional<TransportFailure> transport);

// A whole (non-streamed) answer, read unless the client leaves first.
struct WholeAnswer {
  bool client_gone = false;    // the client left: the connection was aborted, nothing more to send
  std::string raw;             // Azure's bytes, for recordings
  boost::json::value json;     // parsed, when `error` is unset
  std::optional<Error> error;  // transport failure, invalid JSON, or over the budget, already mapped
  http::Permit held;           // raw's bytes in the buffered-bytes budget, while the answer is translated
};
// Reads Azure's whole answer, its bytes taken from `budget` (BODY_BUDGET) as they arrive: an answer
// the budget cannot hold is dropped (upstream cancelled) and answered 529 / 503.
boost::asio::awaitable<WholeAnswer> read_whole_answer(upstream::Response& response, http::ResponseWriter& res,
                                                      const openai::UpstreamContext& ctx, http::Limiter& budget);

// A 2xx answer whose content type is not what was asked for (text/event-stream for a stream, JSON
// otherwise) — a gateway's HTML page, an error object under 200: its first 64 KB read and mapped
// to the client's error. nullopt when the type fits.
boost::asio::awaitable<std::optional<Error>> wrong_content_type(upstream::Response& response, bool stream,
                                                                const openai::UpstreamContext& ctx);

// POSTs `body` to the endpoint (its key, or an Entra ID token from `tokens`, and its headers, then
// `extra`); retries connect failures, resets, and 429/5xx whose wait is short (RETRY_WAIT_CAP), at
// most `retries` times. A token Azure refuses (401) is dropped and a fresh one tried once.
// Non-2xx answers are read and mapped. `request_id` goes into its log lines. `whole_answer`: the
// answer will be read whole, not streamed (upstream::Request::whole_answer).
boost::asio::awaitable<AzureAnswer> call_azure(upstream::Client& client, auth::TokenCache& tokens,
                                               const config::Config& cfg,
                                               const config::Endpoint& endpoint, const std::string& url,
                                               const openai::UpstreamContext& ctx, std::string body, int retries,
                                               const std::string& request_id, const http::Headers& extra = {},
                                               bool whole_answer = false);

}  // namespace agp::gateway
