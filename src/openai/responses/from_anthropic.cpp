#include "openai/responses/from_anthropic.hpp"

#include "anthropic/content.hpp"
#include "core/json_util.hpp"
#include "core/reasoning_signature.hpp"
#include "openai/chat/request.hpp"
#include "openai/request_common.hpp"
#include "openai/schema.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace agp::openai::responses {

using anthropic::blank;
using anthropic::Block;
using anthropic::BlockType;
using anthropic::data_uri;
using anthropic::joined_text;
using anthropic::Role;

namespace {

json::object input_image(const anthropic::Source& s) {
  return {
      {"type", "input_image"}, {"image_url", anthropic::url_of(s)}, {"detail", s.detail.empty() ? "auto" : s.detail}};
}

const anthropic::PartShapes kInputParts{
    [](std::string text) {
      return json::object{{"type", "input_text"}, {"text", std::move(text)}};
    },
    [](const anthropic::Source& s) { return input_image(s); },
    [](std::string filename, std::string uri) {
      return json::object{{"type", "input_file"}, {"filename", std::move(filename)}, {"file_data", std::move(uri)}};
    },
    [](std::string id) {
      return json::object{{"type", "input_file"}, {"file_id", std::move(id)}};
    },
};

void user_part(const Block& b, json::array& parts) { anthropic::append_user_parts(b, kInputParts, parts); }

// function_call_output takes text or a list with images (unlike Chat's tool messages).
json::object tool_output(const Block& b) {
  json::array parts;
  for (auto& c : b.content) user_part(c, parts);
  // Text only → a string; anything else (images, PDFs) → the list form, which takes them.
  bool text_only = std::all_of(parts.begin(), parts.end(),
                               [](const json::value& p) { return p.as_object().at("type") == "input_text"; });
  json::value output;
  if (!text_only) {
    if (b.is_error) parts.insert(parts.begin(), json::object{{"type", "input_text"}, {"text", "[tool error]"}});
    output = std::move(parts);
  } else {
    std::string text;
    for (auto& p : parts) {
      if (!text.empty()) text += "\n";
      text += std::string(p.as_object().at("text").as_string());
    }
    if (blank(text)) text = b.is_error ? "(the tool failed without output)" : "(no output)";
    if (b.is_error) text = "[tool error] " + text;
    output = text;
  }
  return {
      {"type", "function_call_output"}, {"call_id", responses_call_id(b.tool_use_id)}, {"output", std::move(output)}};
}

}  // namespace

std::string responses_effort(const anthropic::MessagesRequest& req, const FromAnthropicOptions& opts) {
  if (!opts.effort_override.empty()) return opts.effort_override;
  if (req.thinking.type == anthropic::ThinkingType::disabled ||
      (req.thinking.type == anthropic::ThinkingType::none && req.effort.empty())) {
    // The lowest effort the family accepts: gpt-5 (not 5.x, not codex) takes "minimal", others "low".
    const auto& d = opts.deployment;
    bool gpt5 = d.starts_with("gpt-5") && !d.starts_with("gpt-5.") && d.find("codex") == std::string::npos;
    return gpt5 ? "minimal" : "low";
  }
  return chat::reasoning_effort(req);
}

namespace {

void user_turn(const anthropic::Message& m, json::array& input, FromAnthropic& out) {
  json::array parts;
  for (auto& b : m.content) {
    if (b.type == BlockType::tool_result)
      input.push_back(tool_output(b));
    else if (b.type == BlockType::thinking || b.type == BlockType::redacted_thinking || b.type == BlockType::tool_use)
      out.dropped.push_back("user " + b.type_name + " block");
    else
      user_part(b, parts);
  }
  if (!parts.empty()) input.push_back({{"type", "message"}, {"role", "user"}, {"content", std::move(parts)}});
}

// Block order is kept, so a reasoning item stays right before the calls it led to (Azure
// rejects a replayed call without its reasoning).
void assistant_turn(const anthropic::Message& m, bool reasoning, bool carry, json::array& input, FromAnthropic& out) {
  for (auto& b : m.content) {
    if (b.type == BlockType::thinking) {
      // Replayed only where the deployment takes encrypted reasoning back.
      auto ref = reasoning && carry ? parse_signature(b.signature) : std::nullopt;
      if (!ref) {
        out.dropped.push_back("thinking block with a foreign or missing signature");
        continue;
      }
      json::array summary;
      if (!blank(b.text)) summary.push_back({{"type", "summary_text"}, {"text", b.text}});
      input.push_back({{"type", "reasoning"},
                       {"id", ref->id},
                       {"summary", std::move(summary)},
                       {"encrypted_content", ref->encrypted_content}});
    } else if (b.type == BlockType::text && !blank(b.text)) {
      input.push_back({{"type", "message"},
                       {"role", "assistant"},
                       {"content", json::array{json::object{{"type", "output_text"}, {"text", b.text}}}}});
    } else if (b.type == BlockType::tool_use) {
      input.push_back({{"type", "function_call"},
                       {"call_id", responses_call_id(b.id)},
                       {"name", out.names.to_upstream(b.name)},
                       {"arguments", anthropic::arguments_of(b)}});
    } else if (b.type == BlockType::redacted_thinking) {
      out.dropped.push_back("redacted_thinking block");
    }
  }
}

json::array input_of(const anthropic::MessagesRequest& req, bool reasoning, FromAnthropic& out) {
  json::array input;
  for (auto& m : req.messages) {
    if (m.role == Role::system) {
      if (auto text = joined_text(m.content); !text.empty())
        input.push_back({{"type", "message"}, {"role", "developer"}, {"content", text}});
    } else if (m.role == Role::user) {
      user_turn(m, input, out);
    } else {
      assistant_turn(m, reasoning, req.carry_reasoning, input, out);
    }
  }
  return input;
}

json::array tools_of(const anthropic::MessagesRequest& req, FromAnthropic& out) {
  json::array tools;
  auto selected = anthropic::upstream_tools(req.tools, out.dropped);  // the gateway rejected the failing case
  for (auto* tool : selected ? *selected : std::vector<const anthropic::Tool*>{}) {
    json::object t{{"type", "function"}, {"name", out.names.to_upstream(tool->name)}, {"strict", false}};
    if (!tool->description.empty()) t["description"] = tool->description;
    t["parameters"] = sanitize_schema(tool->schema());
    tools.push_back(std::move(t));
  }
  return tools;
}

// reasoning (effort, summary, encrypted content) on reasoning deployments; sampling elsewhere.
void reasoning_or_sampling(const anthropic::MessagesRequest& req, const FromAnthropicOptions& opts,
                           FromAnthropic& out) {
  auto& body = out.body;
  if (opts.reasoning) {
    json::object reasoning;
    if (auto effort = responses_effort(req, opts); !effort.empty()) reasoning["effort"] = effort;
    if (out.thinking && !opts.summary.empty()) reasoning["summary"] = opts.summary;
    if (!reasoning.empty()) body["reasoning"] = std::move(reasoning);
    if (out.thinking && req.carry_reasoning) body["include"] = json::array{"reasoning.encrypted_content"};
    if (req.temperature || req.top_p) out.dropped.push_back("temperature/top_p (reasoning deployment)");
  } else {
    if (req.temperature) body["temperature"] = *req.temperature;
    if (req.top_p) body["top_p"] = *req.top_p;
  }
  if (req.top_k) out.dropped.push_back("top_k");
}

}  // namespace

FromAnthropic from_anthropic_request(const anthropic::MessagesRequest& req, const FromAnthropicOptions& opts) {
  FromAnthropic out;
  auto& body = out.body;
  body["model"] = opts.deployment;
  body["store"] = false;
  using anthropic::ThinkingType;
  out.thinking =
      opts.reasoning && (req.thinking.type == ThinkingType::enabled || req.thinking.type == ThinkingType::adaptive);
  if (auto sys = joined_text(req.system); !sys.empty()) body["instructions"] = sys;
  body["input"] = input_of(req, opts.reasoning, out);
  if (auto tools = tools_of(req, out); !tools.empty()) {
    body["tools"] = std::move(tools);
    set_tool_choice(body, req, out.names, false);
  }
  if (auto n = output_limit(req, opts.max_output_tokens, 16)) body["max_output_tokens"] = *n;  // the API's minimum
  reasoning_or_sampling(req, opts, out);
  if (req.output_schema.is_object()) {  // flat, unlike Chat's nested json_schema
    json::object format{{"type", "json_schema"}};
    for (auto& [k, v] : output_json_schema(req)) format[k] = v;
    body["text"] = {{"format", std::move(format)}};
  } else if (req.output_json_object) {
    body["text"] = {{"format", {{"type", "json_object"}}}};
  }
  if (!req.prompt_cache_key.empty()) body["prompt_cache_key"] = req.prompt_cache_key;
  if (req.stream) body["stream"] = true;
  return out;
}

}  // namespace agp::openai::responses
