// Strict validation of a Responses API request body (POST /openai/v1/responses), mirroring what Azure rejects.
#pragma once

#include "validate.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string_view>

namespace mock {

// Returns the first problem (400, or 404 for items that would have to be persisted), or nullopt.
std::optional<ApiError> validate_responses(const boost::json::object& body, bool reasoning_model);

// True when `include` lists `what` (e.g. "reasoning.encrypted_content").
bool responses_includes(const boost::json::object& body, std::string_view what);

}  // namespace mock
