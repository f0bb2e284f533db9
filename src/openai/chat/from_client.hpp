// An OpenAI Chat Completions request (Cursor, the OpenAI SDKs) → the neutral conversation
// (pure). Validates (400 naming the parameter, OpenAI style). What the proxy itself added to
// earlier answers — reasoning shown as <think>…</think>, reasoning_content — is taken out of the
// history, so it never goes back to the model as assistant text.
#pragma once

#include "core/conversation.hpp"
#include "core/error.hpp"

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace agp::openai::chat {

Result<conv::Conversation> from_client_request(const boost::json::value& body);
// The raw body: not JSON, too deep, or a number beyond a double → 400 in OpenAI's wording.
Result<conv::Conversation> from_client_body(std::string_view body);

// Assistant content without the <think>…</think> prefix the proxy adds for Cursor.
std::string_view without_think_prefix(std::string_view content);

}  // namespace agp::openai::chat
