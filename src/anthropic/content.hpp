// Helpers over Anthropic content blocks that every request translator needs.
#pragma once

#include "anthropic/request.hpp"
#include "core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace agp::anthropic {

bool blank(std::string_view s);
// Claude Code's first system block is Anthropic billing metadata, meaningless upstream.
bool is_billing_header(std::string_view text);
// The non-blank text blocks joined by blank lines, billing header left out.
std::string joined_text(const std::vector<Block>& blocks);
// base64 source → data: URI (url sources are used as they are).
std::string data_uri(const Source& s);
std::string url_of(const Source& s);
// A tool_use block's arguments as the upstream takes them: compact JSON of `input`, or the raw
// string an OpenAI client sent when it was not a JSON object.
std::string arguments_of(const Block& b);

// How an upstream API spells user content parts: the one decision of what a block becomes
// (text, image, PDF, uploaded file, a document's text) is append_user_parts'; the shapes are the API's.
struct PartShapes {
  json::object (*text)(std::string text);
  json::object (*image)(const Source& s);
  json::object (*pdf)(std::string filename, std::string data_uri);
  json::object (*file)(std::string file_id);
};
void append_user_parts(const Block& b, const PartShapes& shapes, json::array& parts);

// auto → "auto", any → "required", none → "none"; "" for tool (each API names a tool its own way).
std::string_view openai_tool_choice_mode(ToolChoiceType type);

// OpenAI-style APIs take at most this many tools.
inline constexpr std::size_t kMaxUpstreamTools = 128;
// The client tools to send upstream (server tools cannot run there). Over the limit, tools that
// Anthropic would load on demand (defer_loading) are left out first; `dropped` says what was.
// Fails only when the always-loaded tools alone are too many.
Result<std::vector<const Tool*>> upstream_tools(const std::vector<Tool>& tools, std::vector<std::string>& dropped);

}  // namespace agp::anthropic
