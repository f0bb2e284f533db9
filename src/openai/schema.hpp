// JSON Schema clean-up for OpenAI function parameters (non-strict mode).
#pragma once

#include "core/conversation.hpp"

#include <boost/json.hpp>

namespace agp::openai {

// Drops $schema/$id and keywords OpenAI-style validators reject (unsupported `format`s,
// patterns with Unicode property escapes); gives `type:object` schemas `properties:{}`.
boost::json::value sanitize_schema(const boost::json::value& schema);

// The conversation's structured-output request as {name, schema, strict} (Chat nests it in
// response_format.json_schema, Responses flattens it into text.format). Non-strict schemas are
// cleaned (Claude Code's do not meet strict mode's rules); a strict one is sent as given.
boost::json::object output_json_schema(const conv::Conversation& c);

}  // namespace agp::openai
