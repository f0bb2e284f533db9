// Azure OpenAI error answers → the proxy's protocol-neutral Error (DESIGN's error table).
#pragma once

#include "core/capabilities.hpp"
#include "core/error.hpp"
#include "core/transport_error.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agp::openai {

struct UpstreamContext {
  std::string deployment;
  std::string endpoint;  // for messages only; never a key
  std::string auth;      // what to check when Azure refuses the proxy's credentials; "" = the env set-up's key
  // For a context overflow Azure does not quantify (the Responses API): the proxy's own count of
  // the prompt and the deployment's input window, so the client still reads "N tokens > M maximum".
  std::int64_t prompt_tokens = 0;
  std::int64_t context_window = 0;
};

Error map_azure_error(unsigned status, std::string_view body, std::string_view retry_after, const UpstreamContext& ctx);

// API Management's token-limit policy (azure-openai-token-limit, llm-token-limit) answers 403 when
// a quota for a period is spent ("Token quota is exceeded. Try again in …"), as its quota policy
// does ("Out of call volume quota. Quota will be replenished in 00:00:29."): a 403 that is a rate
// limit, not a refusal of the proxy's credentials.
bool is_quota_exhausted(unsigned status, std::string_view message);

// The wait a message names, in whole seconds ("retry after 20 seconds", "Try again in 21 minutes
// and 33 seconds", "replenished in 1.02:03:04"), or "" when it names none.
std::string wait_named_in(const std::string& message);

// "max_tokens is too large: 32000. This model supports at most 16384 completion tokens, …":
// the deployment's output limit, when a 400 says so.
std::optional<std::int64_t> output_limit_from_error(std::string_view body);

// A 400 that names something this deployment does not take (a parameter, a value, tools with
// reasoning on Chat, encrypted reasoning, an output limit): what it teaches, or nullopt for a
// 400 that is not about a capability.
std::optional<Capability> capability_from_error(std::string_view body);

// The filtered categories of an Azure content_filter_results object ("violence, hate").
std::string filtered_categories(const boost::json::value* results);

// Whether a 2xx answer's content type is what was asked for: text/event-stream for a stream,
// JSON otherwise. No content type at all is taken on trust.
bool content_type_fits(std::string_view content_type, bool stream);
// A 2xx answer of the wrong type (a gateway's HTML page, JSON to a streaming request): the error
// for the client, naming the type and what the body says.
Error unexpected_content_type(unsigned status, std::string_view content_type, bool stream, std::string_view body,
                              const UpstreamContext& ctx);
// What a body that is not Azure's JSON says, for messages: an HTML page's title (or first heading),
// else its text, short.
std::string body_summary(std::string_view body);

// Transport failures (connect refused, TLS, timeouts, resets) before or during the answer.
Error map_transport_error(const upstream::TransportError& e, const UpstreamContext& ctx);

}  // namespace agp::openai
