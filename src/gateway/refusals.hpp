// Errors as replies: the status, JSON body and headers of an Error in a front end's protocol, and
// what the proxy answers when it refuses a request by itself — a slow or oversized upload, a full
// server, a wrong token seen in the header — in the shape of the route the request was for.
#pragma once

#include "core/error.hpp"
#include "exchange/answer_pipeline.hpp"
#include "http/server.hpp"

#include <string>
#include <string_view>

namespace agp::gateway {

http::Rejection error_reply(exchange::Front front, const Error& e, const std::string& request_id);
// The protocol of a route: /cursor/*, /v1/chat/completions and /v1/models speak OpenAI's.
exchange::Front front_of(std::string_view target);
// The server's Refuser (http::ServerOptions::refuse).
http::Rejection refuse(std::string_view target, http::Refusal why, const std::string& message);
// The proxy is at one of its caps: 529 overloaded_error (Anthropic) / 503 (OpenAI), retry in 1 s.
Error busy(std::string message);

}  // namespace agp::gateway
