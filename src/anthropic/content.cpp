#include "anthropic/content.hpp"

#include "core/json_util.hpp"

namespace agp::anthropic {

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

bool is_billing_header(std::string_view text) { return text.starts_with("x-anthropic-billing-header:"); }

std::string joined_text(const std::vector<Block>& blocks) {
  std::string out;
  for (auto& b : blocks) {
    if (b.type != BlockType::text || blank(b.text) || is_billing_header(b.text)) continue;
    if (!out.empty()) out += "\n\n";
    out += b.text;
  }
  return out;
}

std::string data_uri(const Source& s) { return "data:" + s.media_type + ";base64," + s.data; }

std::string url_of(const Source& s) { return s.type == "url" ? s.url : data_uri(s); }

std::string arguments_of(const Block& b) {
  if (b.input.is_string()) return std::string(b.input.get_string());
  return dump(b.input);
}

void append_user_parts(const Block& b, const PartShapes& shapes, json::array& parts) {
  switch (b.type) {
    case BlockType::text:
      if (!blank(b.text)) parts.push_back(shapes.text(b.text));
      break;
    case BlockType::image:
      parts.push_back(shapes.image(b.source));
      break;
    case BlockType::document:
      if (b.source.type == "base64" && b.source.media_type == "application/pdf")
        parts.push_back(shapes.pdf(b.title.empty() ? "document.pdf" : b.title, data_uri(b.source)));
      else if (b.source.type == "file")
        parts.push_back(shapes.file(b.source.file_id));
      else if (b.source.type == "url")
        parts.push_back(shapes.text("[document" + (b.title.empty() ? "" : " " + b.title) + ": " + b.source.url + "]"));
      else if (b.source.type == "content")
        for (auto& c : b.content) append_user_parts(c, shapes, parts);
      else if (!blank(b.source.data))
        parts.push_back(shapes.text((b.title.empty() ? "" : b.title + "\n\n") + b.source.data));
      break;
    default:
      if (!blank(b.text)) parts.push_back(shapes.text(b.text));  // search_result and friends
      break;
  }
}

std::string_view openai_tool_choice_mode(ToolChoiceType type) {
  switch (type) {
    case ToolChoiceType::auto_:
      return "auto";
    case ToolChoiceType::any:
      return "required";
    case ToolChoiceType::none:
      return "none";
    case ToolChoiceType::tool:
      return "";
  }
  return "auto";
}

Result<std::vector<const Tool*>> upstream_tools(const std::vector<Tool>& tools, std::vector<std::string>& dropped) {
  std::vector<const Tool*> client;
  for (auto& t : tools) {
    if (!t.type.empty() && t.type != "custom")
      dropped.push_back("server tool " + t.type);  // web_search etc.
    else
      client.push_back(&t);
  }
  if (client.size() <= kMaxUpstreamTools) return client;
  std::vector<const Tool*> kept, deferred;
  for (auto* t : client) (t->defer_loading ? deferred : kept).push_back(t);
  if (kept.size() > kMaxUpstreamTools)
    return Error::invalid("tools: Azure OpenAI accepts at most " + std::to_string(kMaxUpstreamTools) +
                          " tools; this request has " + std::to_string(kept.size()) +
                          " that are always loaded (disable some MCP servers)");
  for (auto* t : deferred) {
    if (kept.size() < kMaxUpstreamTools)
      kept.push_back(t);
    else
      dropped.push_back("deferred tool " + t->name + " (over the " + std::to_string(kMaxUpstreamTools) +
                        "-tool limit)");
  }
  return kept;
}

}  // namespace agp::anthropic
