// Calling Azure OpenAI: URL building, auth header, retries before anything reached the client.
#pragma once

#include "config/config.hpp"
#include "core/error.hpp"
#include "http/server.hpp"
#include "openai/azure_errors.hpp"
#include "upstream/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <boost/json.hpp>

#include <mutex>
#include <optional>
#include <unordered_map>

#include <memory>
#include <string>
#include <variant>

namespace agp::gateway {

// {endpoint}/openai/deployments/{d}/chat/completions?api-version=V, or the v1 path.
std::string chat_completions_url(const config::Config& cfg, const std::string& deployment);

// {endpoint}/openai/v1/responses, or {endpoint}/openai/responses?api-version=V (V must be at
// least 2025-03-01-preview: older versions get a clear error instead of Azure's 404).
Result<std::string> responses_url(const config::Config& cfg);

struct AzureAnswer {
  std::unique_ptr<upstream::Response> response;  // set when Azure answered 2xx
  std::optional<Error> error;                    // set otherwise (already mapped)
  unsigned upstream_status = 0;                  // 0 = no HTTP answer
  std::string error_body, retry_after;           // Azure's raw error answer, for recordings
  int attempts = 0;
};

// A whole (non-streamed) answer, read unless the client leaves first.
struct WholeAnswer {
  bool client_gone = false;    // the client left: the connection was aborted, nothing more to send
  std::string raw;             // Azure's bytes, for recordings
  boost::json::value json;     // parsed, when `error` is unset
  std::optional<Error> error;  // transport failure or invalid JSON, already mapped
};
boost::asio::awaitable<WholeAnswer> read_whole_answer(upstream::Response& response, http::ResponseWriter& res,
                                                      const openai::UpstreamContext& ctx);

// POSTs `body`; retries connect failures, resets, 429 with a short retry-after and 5xx,
// with backoff, up to cfg.upstream_retries times. Non-2xx answers are read and mapped.
boost::asio::awaitable<AzureAnswer> call_azure(upstream::Client& client, const config::Config& cfg,
                                               const std::string& url, const openai::UpstreamContext& ctx,
                                               std::string body);

}  // namespace agp::gateway
