#include "openai/chat/request.hpp"

#include "anthropic/content.hpp"
#include "core/ids.hpp"
#include "core/json_util.hpp"
#include "openai/request_common.hpp"
#include "openai/schema.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace agp::openai::chat {

using anthropic::blank;
using anthropic::Block;
using anthropic::BlockType;
using anthropic::data_uri;
using anthropic::joined_text;
using anthropic::Role;

namespace {

json::object text_part(std::string text) { return {{"type", "text"}, {"text", std::move(text)}}; }

json::object image_part(const anthropic::Source& s) {
  json::object url{{"url", anthropic::url_of(s)}};
  if (!s.detail.empty()) url["detail"] = s.detail;
  return {{"type", "image_url"}, {"image_url", std::move(url)}};
}

const anthropic::PartShapes kChatParts{
    [](std::string text) { return text_part(std::move(text)); },
    [](const anthropic::Source& s) { return image_part(s); },
    [](std::string filename, std::string uri) {
      return json::object{{"type", "file"},
                          {"file", {{"filename", std::move(filename)}, {"file_data", std::move(uri)}}}};
    },
    [](std::string id) {
      return json::object{{"type", "file"}, {"file", {{"file_id", std::move(id)}}}};
    },
};

// A user-side content block as Chat content parts (may be none).
void append_user_part(const Block& b, json::array& parts) { anthropic::append_user_parts(b, kChatParts, parts); }

json::value content_value(json::array parts) {
  // A lone text part is sent as a plain string: smaller, and accepted by every API version.
  if (parts.size() == 1 && parts[0].as_object().at("type") == "text") return parts[0].as_object().at("text");
  return parts;
}

// Tool messages hold text only; images of a tool result travel in a user message after them.
void add_tool_result(const Block& b, json::array& messages, json::array& carried_images) {
  std::string text;
  for (auto& c : b.content) {
    if (c.type == BlockType::text) {
      if (!text.empty() && !c.text.empty()) text += "\n";
      text += c.text;
    } else if (c.type == BlockType::image || (c.type == BlockType::document && c.source.type != "text")) {
      // Tool messages take text only: images and PDFs travel in the user message after them.
      const char* what = c.type == BlockType::image ? "image" : "document";
      carried_images.push_back(text_part(fmt::format("[{} returned by tool call {}]", what, b.tool_use_id)));
      append_user_part(c, carried_images);
      if (!text.empty()) text += "\n";
      text += fmt::format("[{} attached in the next user message]", what);
    } else if (c.type == BlockType::document && c.source.type == "text") {
      if (!text.empty()) text += "\n";
      text += c.source.data;
    }
  }
  if (blank(text)) text = b.is_error ? "(the tool failed without output)" : "(no output)";
  if (b.is_error) text = "[tool error] " + text;
  messages.push_back(
      {{"role", "tool"}, {"tool_call_id", upstream_call_id(b.tool_use_id)}, {"content", std::move(text)}});
}

json::array tools_of(const anthropic::MessagesRequest& req, Translated& t) {
  json::array tools;
  auto selected = anthropic::upstream_tools(req.tools, t.dropped);  // the gateway rejected the failing case
  if (!selected) return tools;
  for (auto* tool : *selected) {
    json::object fn{{"name", t.names.to_upstream(tool->name)}};
    if (!tool->description.empty()) fn["description"] = tool->description;
    fn["parameters"] = sanitize_schema(tool->schema());
    tools.push_back({{"type", "function"}, {"function", std::move(fn)}});
  }
  return tools;
}

}  // namespace

bool emulates_stop(const anthropic::MessagesRequest& req, bool reasoning) {
  return !req.stop_sequences.empty() && (req.stream || reasoning);
}

bool api_version_at_least(const std::string& version, const std::string& date) {
  if (version == "v1" || version == "preview" || version == "latest") return true;
  return version.substr(0, 10) >= date;
}

std::string reasoning_effort(const anthropic::MessagesRequest& req) {
  using anthropic::ThinkingType;
  switch (req.thinking.type) {
    case ThinkingType::enabled:
      // Claude Code: "think" ≈ 4k, "think hard" ≈ 10k, "ultrathink" ≈ 32k.
      if (req.thinking.budget_tokens < 4096) return "low";
      if (req.thinking.budget_tokens < 16384) return "medium";
      return "high";
    case ThinkingType::adaptive:
      // minimal / none: named by OpenAI clients (Cursor's gpt-minimal), passed as given.
      if (req.effort == "minimal" || req.effort == "none" || req.effort == "low" || req.effort == "medium" ||
          req.effort == "high")
        return req.effort;
      if (req.effort == "xhigh" || req.effort == "max") return "high";
      return req.effort_from_deployment ? "" : "medium";
    case ThinkingType::disabled:
      return "low";
    case ThinkingType::none:
      if (req.effort == "low" || req.effort == "medium" || req.effort == "high") return req.effort;
      if (req.effort == "xhigh" || req.effort == "max") return "high";
      return "";
  }
  return "";
}

namespace {

// A user turn: tool messages first (Azure wants them right after the calls), then the rest.
void user_turn(const anthropic::Message& m, json::array& messages, Translated& t) {
  json::array carried_images, parts;
  for (auto& b : m.content) {
    if (b.type == BlockType::tool_result)
      add_tool_result(b, messages, carried_images);
    else if (b.type == BlockType::thinking || b.type == BlockType::redacted_thinking || b.type == BlockType::tool_use)
      t.dropped.push_back("user " + b.type_name + " block");
    else
      append_user_part(b, parts);
  }
  for (auto& p : parts) carried_images.push_back(std::move(p));
  if (!carried_images.empty())
    messages.push_back({{"role", "user"}, {"content", content_value(std::move(carried_images))}});
}

void assistant_turn(const anthropic::Message& m, json::array& messages, Translated& t) {
  std::string text;
  json::array calls;
  for (auto& b : m.content) {
    if (b.type == BlockType::text && !blank(b.text)) {
      if (!text.empty()) text += "\n\n";
      text += b.text;
    } else if (b.type == BlockType::tool_use) {
      calls.push_back(
          {{"id", upstream_call_id(b.id)},
           {"type", "function"},
           {"function", {{"name", t.names.to_upstream(b.name)}, {"arguments", anthropic::arguments_of(b)}}}});
    }
    // thinking / redacted_thinking: Chat Completions has no place for them (kept on Responses).
  }
  if (text.empty() && calls.empty()) return;  // Azure rejects empty assistant messages
  json::object msg{{"role", "assistant"}};
  msg["content"] = text.empty() ? json::value(nullptr) : json::value(text);
  if (!calls.empty()) msg["tool_calls"] = std::move(calls);
  messages.push_back(std::move(msg));
}

// The conversation was repaired before (core/history): every call has its result.
json::array messages_of(const anthropic::MessagesRequest& req, const Options& opts, Translated& t) {
  // The developer role exists from 2024-12-01-preview on; older versions reject it.
  const char* system_role =
      opts.reasoning && api_version_at_least(opts.api_version, "2024-12-01") ? "developer" : "system";
  json::array messages;
  if (auto sys = joined_text(req.system); !sys.empty()) messages.push_back({{"role", system_role}, {"content", sys}});
  for (auto& m : req.messages) {
    if (m.role == Role::system) {
      if (auto text = joined_text(m.content); !text.empty())
        messages.push_back({{"role", system_role}, {"content", text}});
    } else if (m.role == Role::user) {
      user_turn(m, messages, t);
    } else {
      assistant_turn(m, messages, t);
    }
  }
  return messages;
}

// Sampling parameters where the deployment takes them, the reasoning effort where it reasons.
void sampling(const anthropic::MessagesRequest& req, const Options& opts, Translated& t) {
  auto& body = t.body;
  if (!opts.reasoning) {
    if (req.temperature) body["temperature"] = *req.temperature;
    if (req.top_p) body["top_p"] = *req.top_p;
    if (!req.stop_sequences.empty() && !opts.emulate_stop) {
      json::array stop;
      for (std::size_t i = 0; i < req.stop_sequences.size() && i < 4; ++i)
        stop.push_back(json::string(req.stop_sequences[i]));
      if (req.stop_sequences.size() > 4) t.dropped.push_back("stop sequences beyond the first 4");
      body["stop"] = std::move(stop);
    }
  } else {
    if (req.temperature || req.top_p) t.dropped.push_back("temperature/top_p (reasoning deployment)");
    if (!req.stop_sequences.empty() && !opts.emulate_stop) t.dropped.push_back("stop_sequences (reasoning deployment)");
    auto effort = reasoning_effort(req);
    if (!effort.empty() && api_version_at_least(opts.api_version, "2024-12-01")) body["reasoning_effort"] = effort;
  }
  if (req.top_k) t.dropped.push_back("top_k");
}

}  // namespace

Translated to_chat_request(const anthropic::MessagesRequest& req, const Options& opts) {
  Translated t;
  json::object& body = t.body;
  if (opts.api_version == "v1") body["model"] = opts.deployment;
  body["messages"] = messages_of(req, opts, t);
  if (auto n = output_limit(req, opts.max_output_tokens, 1)) body["max_completion_tokens"] = *n;  // 0 = cache pre-warm
  sampling(req, opts, t);
  if (auto tools = tools_of(req, t); !tools.empty()) {
    body["tools"] = std::move(tools);
    set_tool_choice(body, req, t.names, true);
  }
  if (req.output_schema.is_object())
    body["response_format"] = {{"type", "json_schema"}, {"json_schema", output_json_schema(req)}};
  else if (req.output_json_object)
    body["response_format"] = {{"type", "json_object"}};
  if (!req.user_id.empty()) body["user"] = sha256_hex(req.user_id).substr(0, 32);  // stable, no personal data
  if (!req.prompt_cache_key.empty() && api_version_at_least(opts.api_version, "2025-04-01"))
    body["prompt_cache_key"] = req.prompt_cache_key;
  if (req.stream) {
    body["stream"] = true;
    body["stream_options"] = {{"include_usage", true}};
  }
  return t;
}

}  // namespace agp::openai::chat
