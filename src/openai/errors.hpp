// Errors in the OpenAI shape: {"error":{"message","type","param","code"}}, for the Cursor /
// OpenAI-compatible front end. Statuses follow what Cursor can display.
#pragma once

#include "core/error.hpp"

#include <boost/json.hpp>

#include <string>

namespace agp::openai {

boost::json::object error_body(const Error& e);
std::string error_json(const Error& e);
// Cursor hides the body of a 401, and an upstream credential problem is not the user's token:
// such errors (and every 5xx) become statuses whose message Cursor shows.
unsigned error_status(const Error& e);

}  // namespace agp::openai
