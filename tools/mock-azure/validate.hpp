// Strict validation of a Chat Completions request body, mirroring what Azure OpenAI rejects.
#pragma once

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

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

// Shared by the Chat and Responses validators.
ApiError invalid(std::string message, std::optional<std::string> param = std::nullopt,
                 std::optional<std::string> code = std::nullopt);
ApiError bad_type(const std::string& param, const char* expected, const boost::json::value& got);
bool as_number(const boost::json::value& v, double& out);
// Function names: ^[a-zA-Z0-9_-]{1,64}$.
std::optional<ApiError> check_name(std::string_view name, const std::string& param);

}  // namespace mock
