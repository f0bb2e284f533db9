// JSON Schema clean-up for OpenAI function parameters (non-strict mode).
#pragma once

#include <boost/json.hpp>

namespace agp::openai {

// Drops $schema/$id and keywords OpenAI-style validators reject (unsupported `format`s,
// patterns with Unicode property escapes); gives `type:object` schemas `properties:{}`.
boost::json::value sanitize_schema(const boost::json::value& schema);

}  // namespace agp::openai
