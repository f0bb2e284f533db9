// The protocol-neutral middle of every exchange: the conversation a front end parsed (Anthropic
// Messages or OpenAI chat), which history repair, tool-name aliasing and id shortening work on,
// and which every backend (Chat Completions, Responses) renders. Anthropic's request is the
// richest of the client protocols, so its shape is the base; OpenAI-only fields are marked.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace agp::conv {

namespace json = boost::json;

enum class BlockType { text, image, document, tool_use, tool_result, thinking, redacted_thinking, other };

struct Source {
  std::string type;        // base64 | url | text | content | file
  std::string media_type;  // image/png, application/pdf, text/plain
  std::string data;        // base64 payload or plain text
  std::string url;
  std::string file_id;  // type "file": an uploaded file (OpenAI clients)
  std::string detail;   // images: auto | low | high ("" = auto)
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
  json::value input;           // tool_use (an object; OpenAI clients' unparsable arguments stay a string)
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
  // An object; shared, not copied: Claude Code's tool schemas are most of its request (41 of the
  // 48 KB of the captured one), and a conversation is copied each time it is prepared for a
  // deployment (prepare() repairs its own copy). Null only in a tool built without one.
  std::shared_ptr<const json::value> input_schema;
  std::string type;            // "" / "custom" for client tools; server tool type otherwise
  bool defer_loading = false;  // Anthropic tool search loads it on demand (no such thing upstream)

  // The schema, or an empty object when there is none.
  const json::value& schema() const {
    static const json::value kEmpty = json::object{};
    return input_schema ? *input_schema : kEmpty;
  }
};

enum class ToolChoiceType { auto_, any, tool, none };
struct ToolChoice {
  ToolChoiceType type = ToolChoiceType::auto_;
  std::string name;
  bool disable_parallel_tool_use = false;
  bool parallel_tool_calls = false;  // an OpenAI client said parallel_tool_calls:true: passed on as said
};

enum class ThinkingType { none, enabled, adaptive, disabled };
struct Thinking {
  ThinkingType type = ThinkingType::none;  // none = field absent
  std::int64_t budget_tokens = 0;
  std::string display;  // "" | summarized | omitted
};

struct Conversation {
  std::string model;
  std::int64_t max_tokens = 0;
  bool max_tokens_set = true;  // OpenAI clients may leave it to the deployment
  std::vector<Block> system;
  std::vector<Message> messages;
  std::vector<Tool> tools;
  std::optional<ToolChoice> tool_choice;
  std::optional<double> temperature, top_p;
  std::optional<std::int64_t> top_k;
  std::vector<std::string> stop_sequences;
  bool stream = false;
  Thinking thinking;
  std::string effort;         // output_config.effort, or an OpenAI client's reasoning_effort / gpt-<effort>
  json::value output_schema;  // output_config.format / output_format / response_format json_schema, or null
  std::string output_name = "output";
  bool output_strict = false;           // OpenAI clients may ask for strict schemas; Anthropic's are never strict
  bool output_json_object = false;      // OpenAI response_format json_object
  std::string user_id;                  // metadata.user_id / OpenAI `user`, as sent (hashed before it leaves)
  std::string prompt_cache_key;         // resolved by the front end (Claude Code's session, Cursor's key)
  bool include_usage = false;           // OpenAI stream_options.include_usage
  bool carry_reasoning = true;          // the client returns reasoning on later turns (Anthropic thinking blocks)
  bool effort_from_deployment = false;  // no effort given: leave it to the deployment (OpenAI clients)
  std::vector<std::string> betas;       // anthropic-beta values the client sent
  json::value context_management;       // Anthropic context editing {edits:[…]}, applied before rendering
  std::vector<std::string> dropped;     // what the front end could not map, for the debug log
};

}  // namespace agp::conv
