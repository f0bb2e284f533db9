// OpenAI Chat Completions request (Cursor, OpenAI SDK) → Azure Responses request (pure).
#pragma once

#include "core/error.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace agp::openai::responses {

struct FromChatOptions {
  std::string deployment;
  std::string effort;                // "" = leave to the deployment
  std::string summary = "detailed";  // reasoning.summary; "" = none
  bool reasoning = true;             // the deployment takes `reasoning`
};

struct FromChat {
  boost::json::object body;
  bool stream = false;
  bool include_usage = false;        // stream_options.include_usage
  std::vector<std::string> dropped;  // parameters reasoning models reject, for the debug log
};

// Validates (400 naming the parameter, OpenAI style) and translates.
Result<FromChat> from_chat_request(const boost::json::value& chat, const FromChatOptions& opts);

// Responses call ids are limited to 64 characters; longer ones get a stable short form.
std::string responses_call_id(std::string_view id);

}  // namespace agp::openai::responses
