// Anthropic Messages API request: typed structs, and a parser that validates the JSON body
// and names the field path of the first problem ("messages.2.content.0.type: ...").
#pragma once

#include "core/conversation.hpp"
#include "core/error.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agp::anthropic {

namespace json = boost::json;

// The Messages request is the neutral conversation (core/conversation.hpp): Anthropic's names.
using conv::Block;
using conv::BlockType;
using conv::Message;
using conv::Role;
using conv::Source;
using conv::Thinking;
using conv::ThinkingType;
using conv::Tool;
using conv::ToolChoice;
using conv::ToolChoiceType;
using MessagesRequest = conv::Conversation;

enum class Endpoint { messages, count_tokens };

// Validates and converts. count_tokens bodies have no max_tokens.
Result<MessagesRequest> parse_request(const json::value& body, Endpoint endpoint = Endpoint::messages);
// Parses raw bytes first (invalid JSON → invalid_request_error).
Result<MessagesRequest> parse_request(std::string_view body, Endpoint endpoint = Endpoint::messages);

// Anthropic's rule that thinking.budget_tokens < max_tokens, unless the interleaved-thinking beta
// (in r.betas, set from the anthropic-beta header) lets the budget span a whole tool loop.
std::optional<Error> thinking_budget_error(const MessagesRequest& r);

// "session_id" inside Claude Code's JSON metadata.user_id, else "".
std::string session_id_of(const std::string& user_id);

}  // namespace agp::anthropic
