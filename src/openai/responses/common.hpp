// Pieces of the Responses API shared by every front end: usage, and failure → Error.
#pragma once

#include "core/answer.hpp"
#include "core/error.hpp"
#include "openai/azure_errors.hpp"

#include <boost/json.hpp>

#include <cstdint>

namespace agp::openai::responses {

using answer::Usage;

// response.usage: cached ⊂ input, reasoning ⊂ output.
answer::Usage parse_usage(const boost::json::value* usage);

// A failed response's `error` object, or a bare `error` event, → Error (through the same
// table as HTTP errors: rate limits stay 429, context overflow stays "prompt is too long").
Error failure_error(const boost::json::object& error_or_event, const UpstreamContext& ctx);

}  // namespace agp::openai::responses
