// Anthropic Messages request → Azure OpenAI Chat Completions request (pure).
#pragma once

#include "anthropic/request.hpp"
#include "core/tool_names.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace agp::openai::chat {

struct Options {
  std::string deployment;
  std::string api_version;             // "v1" or dated; gates newer fields
  bool reasoning = false;              // o-series / gpt-5: developer role, no sampling params
  std::int64_t max_output_tokens = 0;  // cap; 0 = none
  bool emulate_stop = false;           // stop sequences are matched by the proxy, not sent as `stop`
};

// Whether the proxy matches stop sequences itself: always when streaming (so the answer can
// say which stop matched, as Anthropic's does), and on reasoning deployments (Azure rejects
// `stop` there). Whole answers on other deployments use Azure's `stop`.
bool emulates_stop(const anthropic::MessagesRequest& req, bool reasoning);

struct Translated {
  boost::json::object body;
  ToolNames names;
  std::vector<std::string> dropped;  // what could not be sent, for the debug log
};

Translated to_chat_request(const anthropic::MessagesRequest& req, const Options& opts);

// thinking / output_config.effort → reasoning effort ("" = leave to the deployment).
std::string reasoning_effort(const anthropic::MessagesRequest& req);
// Whether a dated api-version is at least `date` (v1 always is).
bool api_version_at_least(const std::string& version, const std::string& date);

}  // namespace agp::openai::chat
