// Strict validation of a Chat Completions request body, mirroring what Azure OpenAI rejects.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace mock {

struct ApiError {
  unsigned status = 400;
  std::string message;
  std::optional<std::string> param;
  std::optional<std::string> code;
};

// OpenAI error shape: {"error":{"message","type":"invalid_request_error","param","code"}}.
std::string error_body(const ApiError& e);

std::optional<ApiError> validate_chat(const boost::json::object& body, bool reasoning_model);

}  // namespace mock
