// Anthropic Messages API request: typed structs, and a parser that validates the JSON body
// and names the field path of the first problem ("messages.2.content.0.type: ...").
#pragma once

#include "core/error.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace agp::anthropic {

namespace json = boost::json;

enum class BlockType { text, image, document, tool_use, tool_result, thinking, redacted_thinking, other };

struct Source {
  std::string type;        // base64 | url | text | content | file
  std::string media_type;  // image/png, application/pdf, text/plain
  std::string data;        // base64 payload or plain text
  std::string url;
};

struct Block {
  BlockType type = BlockType::text;
  std::string type_name;       // as sent, for "other"
  std::string text;            // text; thinking text
  std::string signature;       // thinking
  std::string data;            // redacted_thinking
  Source source;               // image, document
  std::string title;           // document
  std::string id, name;        // tool_use
  json::value input;           // tool_use
  std::string tool_use_id;     // tool_result
  std::vector<Block> content;  // tool_result (a string becomes one text block); document content
  bool is_error = false;       // tool_result
};

enum class Role { user, assistant, system };

struct Message {
  Role role = Role::user;
  std::vector<Block> content;  // a string becomes one text block
};

struct Tool {
  std::string name;
  std::string description;
  json::value input_schema;    // object
  std::string type;            // "" / "custom" for client tools; server tool type otherwise
  bool defer_loading = false;  // Anthropic tool search loads it on demand (no such thing upstream)
};

enum class ToolChoiceType { auto_, any, tool, none };
struct ToolChoice {
  ToolChoiceType type = ToolChoiceType::auto_;
  std::string name;
  bool disable_parallel_tool_use = false;
};

enum class ThinkingType { none, enabled, adaptive, disabled };
struct Thinking {
  ThinkingType type = ThinkingType::none;  // none = field absent
  std::int64_t budget_tokens = 0;
  std::string display;  // "" | summarized | omitted
};

struct MessagesRequest {
  std::string model;
  std::int64_t max_tokens = 0;
  std::vector<Block> system;
  std::vector<Message> messages;
  std::vector<Tool> tools;
  std::optional<ToolChoice> tool_choice;
  std::optional<double> temperature, top_p;
  std::optional<std::int64_t> top_k;
  std::vector<std::string> stop_sequences;
  bool stream = false;
  Thinking thinking;
  std::string effort;         // output_config.effort
  json::value output_schema;  // output_config.format / output_format json_schema: the schema, or null
  std::string user_id;        // metadata.user_id as sent
};

enum class Endpoint { messages, count_tokens };

// Validates and converts. count_tokens bodies have no max_tokens.
Result<MessagesRequest> parse_request(const json::value& body, Endpoint endpoint = Endpoint::messages);
// Parses raw bytes first (invalid JSON → invalid_request_error).
Result<MessagesRequest> parse_request(std::string_view body, Endpoint endpoint = Endpoint::messages);

}  // namespace agp::anthropic
