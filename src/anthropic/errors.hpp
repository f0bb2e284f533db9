// Errors in the Anthropic shape: {"type":"error","error":{"type":...,"message":...}}.
#pragma once

#include "anthropic/events.hpp"
#include "core/error.hpp"

#include <string>
#include <string_view>

namespace agp::anthropic {

std::string_view error_type(const Error& e);
// Status the Anthropic front answers with (529 for overloaded).
unsigned error_status(const Error& e);
json::object error_body(const Error& e, std::string_view request_id = {});
std::string error_json(const Error& e, std::string_view request_id = {});
// The same envelope as a stream `event: error`, for failures after the 200 header.
Event error_event(const Error& e, std::string_view request_id = {});

}  // namespace agp::anthropic
