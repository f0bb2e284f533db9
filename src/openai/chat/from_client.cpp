#include "openai/chat/from_client.hpp"

#include "core/ids.hpp"
#include "core/json_util.hpp"

#include <fmt/format.h>

namespace agp::openai::chat {

namespace json = boost::json;
using conv::Block;
using conv::BlockType;
using conv::Role;

namespace {

struct Bad {
  std::string param, message;
};

Block text_block(std::string_view text) {
  Block b;
  b.text = std::string(text);
  return b;
}

// Text of a content value: a string, or the text parts of an array.
std::optional<std::string> text_of(const json::value& content) {
  if (content.is_string()) return std::string(content.get_string());
  if (content.is_null()) return std::string{};
  auto* a = content.if_array();
  if (!a) return std::nullopt;
  std::string out;
  for (auto& p : *a) {
    auto* o = p.if_object();
    if (!o) return std::nullopt;
    auto type = find_string(*o, "type").value_or("");
    if (type == "text" || type == "input_text" || type == "output_text") {
      if (!out.empty()) out += "\n";
      out += std::string(find_string(*o, "text").value_or(""));
    }
  }
  return out;
}

// "data:application/pdf;base64,AAA" → media type and payload.
bool split_data_uri(std::string_view uri, conv::Source& s) {
  if (!uri.starts_with("data:")) return false;
  auto semi = uri.find(";base64,");
  if (semi == std::string_view::npos) return false;
  s.type = "base64";
  s.media_type = std::string(uri.substr(5, semi - 5));
  s.data = std::string(uri.substr(semi + 8));
  return true;
}

std::optional<Bad> user_blocks(const json::value& content, const std::string& param, std::vector<Block>& out) {
  if (content.is_string()) {
    out.push_back(text_block(content.get_string()));
    return std::nullopt;
  }
  auto* a = content.if_array();
  if (!a) return Bad{param, "content must be a string or an array of content parts"};
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto p = fmt::format("{}[{}]", param, i);
    auto* o = (*a)[i].if_object();
    if (!o) return Bad{p, "content part must be an object"};
    auto type = find_string(*o, "type").value_or("");
    if (type == "text") {
      out.push_back(text_block(find_string(*o, "text").value_or("")));
    } else if (type == "image_url") {
      auto* iu = find(*o, "image_url");
      Block b;
      b.type = BlockType::image;
      b.type_name = "image";
      b.source.type = "url";
      if (iu && iu->is_string()) {
        b.source.url = std::string(iu->get_string());
      } else if (iu && iu->is_object()) {
        b.source.url = std::string(find_string(iu->get_object(), "url").value_or(""));
        b.source.detail = std::string(find_string(iu->get_object(), "detail").value_or(""));
      }
      if (b.source.url.empty()) return Bad{p + ".image_url.url", "missing image URL"};
      out.push_back(std::move(b));
    } else if (type == "file") {
      auto* f = find_object(*o, "file");
      if (!f) return Bad{p + ".file", "missing file"};
      Block b;
      b.type = BlockType::document;
      b.type_name = "document";
      b.title = std::string(find_string(*f, "filename").value_or(""));
      if (auto id = find_string(*f, "file_id")) {
        b.source.type = "file";
        b.source.file_id = std::string(*id);
      } else if (auto d = find_string(*f, "file_data"); !d || !split_data_uri(*d, b.source)) {
        return Bad{p + ".file.file_data", "file_data must be a base64 data URI (or give file_id)"};
      }
      out.push_back(std::move(b));
    } else {
      return Bad{p + ".type", fmt::format("unsupported content part type '{}'", type)};
    }
  }
  return std::nullopt;
}

std::optional<Bad> assistant_blocks(const json::object& m, const std::string& param, std::vector<Block>& out) {
  static const json::value kNull;
  auto* content = find(m, "content");
  auto text = text_of(content ? *content : kNull);
  if (!text) return Bad{param + ".content", "assistant content must be text"};
  // reasoning_content (ours or another gateway's) is display only: never sent back.
  if (auto t = without_think_prefix(*text); !t.empty()) out.push_back(text_block(t));
  auto* calls = find_array(m, "tool_calls");
  if (!calls) return std::nullopt;
  for (std::size_t k = 0; k < calls->size(); ++k) {
    auto* c = (*calls)[k].if_object();
    auto* fn = c ? find_object(*c, "function") : nullptr;
    if (!fn) return Bad{fmt::format("{}.tool_calls[{}].function", param, k), "missing function"};
    Block b;
    b.type = BlockType::tool_use;
    b.type_name = "tool_use";
    b.id = std::string(find_string(*c, "id").value_or(""));
    if (b.id.empty()) b.id = random_id("call_");
    b.name = std::string(find_string(*fn, "name").value_or(""));
    auto args = find_string(*fn, "arguments").value_or("");
    boost::system::error_code ec;
    b.input = json::parse(args.empty() ? std::string_view("{}") : args, ec);
    if (ec || !b.input.is_object()) b.input = json::string(args);  // passed on as the client sent it
    out.push_back(std::move(b));
  }
  return std::nullopt;
}

std::optional<Bad> parse_messages(const json::object& in, conv::Conversation& c) {
  auto* msgs = find_array(in, "messages");
  if (!msgs || msgs->empty()) return Bad{"messages", "messages must be a non-empty array"};
  bool leading = true;
  for (std::size_t i = 0; i < msgs->size(); ++i) {
    auto param = fmt::format("messages[{}]", i);
    auto* m = (*msgs)[i].if_object();
    if (!m) return Bad{param, "message must be an object"};
    auto role = find_string(*m, "role").value_or("");
    static const json::value kNull;
    const json::value* content = find(*m, "content");
    if (!content) content = &kNull;
    if (role == "system" || role == "developer") {
      auto text = text_of(*content);
      if (!text) return Bad{param + ".content", "system content must be text"};
      if (leading) {
        c.system.push_back(text_block(*text));
      } else {
        conv::Message sm{Role::system, {text_block(*text)}};
        c.messages.push_back(std::move(sm));
      }
      continue;
    }
    leading = false;
    conv::Message msg;
    if (role == "user") {
      if (auto bad = user_blocks(*content, param + ".content", msg.content)) return bad;
    } else if (role == "assistant") {
      msg.role = Role::assistant;
      if (auto bad = assistant_blocks(*m, param, msg.content)) return bad;
    } else if (role == "tool") {
      auto id = find_string(*m, "tool_call_id");
      if (!id) return Bad{param + ".tool_call_id", "tool messages need tool_call_id"};
      auto text = text_of(*content);
      if (!text) return Bad{param + ".content", "tool content must be text"};
      Block r;
      r.type = BlockType::tool_result;
      r.type_name = "tool_result";
      r.tool_use_id = std::string(*id);
      r.content.push_back(text_block(*text));
      // Consecutive tool messages answer one assistant turn: one user turn of results.
      if (!c.messages.empty() && c.messages.back().role == Role::user && !c.messages.back().content.empty() &&
          c.messages.back().content.back().type == BlockType::tool_result) {
        c.messages.back().content.push_back(std::move(r));
        continue;
      }
      msg.content.push_back(std::move(r));
    } else {
      return Bad{param + ".role", fmt::format("unsupported role '{}'", role)};
    }
    c.messages.push_back(std::move(msg));
  }
  return std::nullopt;
}

std::optional<Bad> parse_tools(const json::object& in, conv::Conversation& c) {
  if (auto* tools = find_array(in, "tools")) {
    for (std::size_t i = 0; i < tools->size(); ++i) {
      auto* t = (*tools)[i].if_object();
      auto* fn = t ? find_object(*t, "function") : nullptr;
      if (!fn || !find_string(*fn, "name"))
        return Bad{fmt::format("tools[{}].function.name", i), "missing function name"};
      conv::Tool tool;
      tool.name = std::string(*find_string(*fn, "name"));
      tool.description = std::string(find_string(*fn, "description").value_or(""));
      auto* params = find(*fn, "parameters");
      tool.input_schema = params && params->is_object() ? *params : json::value(json::object{{"type", "object"}});
      c.tools.push_back(std::move(tool));
    }
  }
  conv::ToolChoice choice;
  bool any = false;
  if (auto* tc = find(in, "tool_choice"); tc && !tc->is_null()) {
    any = true;
    if (tc->is_string()) {
      auto s = tc->get_string();
      choice.type = s == "required" ? conv::ToolChoiceType::any
                    : s == "none"   ? conv::ToolChoiceType::none
                                    : conv::ToolChoiceType::auto_;
    } else if (auto* o = tc->if_object(); o && find_object(*o, "function")) {
      choice.type = conv::ToolChoiceType::tool;
      choice.name = std::string(find_string(*find_object(*o, "function"), "name").value_or(""));
    }
  }
  if (auto p = find_bool(in, "parallel_tool_calls")) {
    any = true;
    choice.disable_parallel_tool_use = !*p;
    choice.parallel_tool_calls = *p;
  }
  if (any) c.tool_choice = choice;
  return std::nullopt;
}

std::optional<Bad> parse_options(const json::object& in, conv::Conversation& c) {
  c.model = std::string(find_string(in, "model").value_or(""));
  auto max = find_int(in, "max_completion_tokens");
  if (!max) max = find_int(in, "max_tokens");
  c.max_tokens_set = max && *max > 0;
  if (c.max_tokens_set) c.max_tokens = *max;
  if (auto e = find_string(in, "reasoning_effort")) c.effort = std::string(*e);
  c.temperature = find_number(in, "temperature");
  c.top_p = find_number(in, "top_p");
  if (auto* stop = find(in, "stop")) {
    if (stop->is_string()) c.stop_sequences.emplace_back(stop->get_string());
    if (auto* a = stop->if_array())
      for (auto& s : *a)
        if (s.is_string()) c.stop_sequences.emplace_back(s.get_string());
  }
  for (auto key : {"presence_penalty", "frequency_penalty", "logit_bias", "seed", "logprobs", "top_logprobs", "n"})
    if (auto* v = find(in, key); v && !v->is_null()) c.dropped.emplace_back(key);
  if (auto* rf = find_object(in, "response_format")) {
    auto type = find_string(*rf, "type").value_or("text");
    if (type == "json_schema") {
      auto* js = find_object(*rf, "json_schema");
      auto* schema = js ? find(*js, "schema") : nullptr;
      if (!schema || !schema->is_object())
        return Bad{"response_format.json_schema.schema", "json_schema needs a schema object"};
      c.output_schema = *schema;
      c.output_name = std::string(find_string(*js, "name").value_or("response"));
      c.output_strict = find_bool(*js, "strict").value_or(false);
    } else if (type == "json_object") {
      c.output_json_object = true;
    }
  }
  if (auto u = find_string(in, "user")) c.user_id = std::string(*u);
  // The client's cache key (Cursor's conversation) keeps Azure's prompt cache warm across a chat.
  if (auto k = find_string(in, "prompt_cache_key"))
    c.prompt_cache_key = std::string(*k);
  else if (!c.user_id.empty())
    c.prompt_cache_key = sha256_hex(c.user_id).substr(0, 32);
  c.stream = find_bool(in, "stream").value_or(false);
  if (auto* so = find_object(in, "stream_options"); so && c.stream)
    c.include_usage = find_bool(*so, "include_usage").value_or(false);
  // OpenAI clients show reasoning summaries but cannot return reasoning on later turns.
  c.thinking.type = conv::ThinkingType::adaptive;
  c.carry_reasoning = false;
  c.effort_from_deployment = true;
  return std::nullopt;
}

}  // namespace

std::string_view without_think_prefix(std::string_view content) {
  auto start = content.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || content.substr(start, 7) != "<think>") return content;
  auto end = content.find("</think>", start);
  if (end == std::string_view::npos) return content;
  content.remove_prefix(end + 8);
  auto rest = content.find_first_not_of("\r\n");
  return rest == std::string_view::npos ? std::string_view{} : content.substr(rest);
}

Result<conv::Conversation> from_client_request(const json::value& body) {
  auto* o = body.if_object();
  if (!o) return Error::invalid("request body must be a JSON object");
  conv::Conversation c;
  for (auto step : {parse_options, parse_messages, parse_tools})
    if (auto bad = step(*o, c)) return Error::invalid(bad->param + ": " + bad->message);
  return c;
}

}  // namespace agp::openai::chat
