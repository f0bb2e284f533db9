#include "openai/responses/from_chat.hpp"

#include "core/ids.hpp"
#include "core/json_util.hpp"
#include "openai/schema.hpp"
#include "openai/tool_names.hpp"

#include <fmt/format.h>

namespace agp::openai::responses {

namespace {

struct Bad {
  std::string param, message;
};

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

std::optional<Bad> user_parts(const json::value& content, const std::string& param, json::array& parts) {
  if (content.is_string()) {
    parts.push_back({{"type", "input_text"}, {"text", content.get_string()}});
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
      parts.push_back({{"type", "input_text"}, {"text", find_string(*o, "text").value_or("")}});
    } else if (type == "image_url") {
      auto* iu = find(*o, "image_url");
      std::string url, detail = "auto";
      if (iu && iu->is_string())
        url = std::string(iu->get_string());
      else if (iu && iu->is_object()) {
        url = std::string(find_string(iu->get_object(), "url").value_or(""));
        detail = std::string(find_string(iu->get_object(), "detail").value_or("auto"));
      }
      if (url.empty()) return Bad{p + ".image_url.url", "missing image URL"};
      parts.push_back({{"type", "input_image"}, {"image_url", url}, {"detail", detail}});
    } else if (type == "file") {
      auto* f = find_object(*o, "file");
      if (!f) return Bad{p + ".file", "missing file"};
      json::object part{{"type", "input_file"}};
      if (auto d = find_string(*f, "file_data")) part["file_data"] = *d;
      if (auto n = find_string(*f, "filename")) part["filename"] = *n;
      if (auto id = find_string(*f, "file_id")) part["file_id"] = *id;
      parts.push_back(std::move(part));
    } else {
      return Bad{p + ".type", fmt::format("unsupported content part type '{}'", type)};
    }
  }
  return std::nullopt;
}

json::value convert_tool_choice(const json::value& tc) {
  if (tc.is_string()) return tc;
  if (auto* o = tc.if_object()) {
    if (auto* fn = find_object(*o, "function"))
      return json::object{{"type", "function"}, {"name", find_string(*fn, "name").value_or("")}};
  }
  return "auto";
}

std::optional<Bad> convert(const json::object& in, const FromChatOptions& opts, FromChat& out) {
  auto& body = out.body;
  body["model"] = opts.deployment;
  body["store"] = false;

  auto* msgs = find_array(in, "messages");
  if (!msgs) return Bad{"messages", "messages must be a non-empty array"};
  if (msgs->empty()) return Bad{"messages", "messages must be a non-empty array"};

  std::string instructions;
  bool leading = true;
  json::array input;
  for (std::size_t i = 0; i < msgs->size(); ++i) {
    auto param = fmt::format("messages[{}]", i);
    auto* m = (*msgs)[i].if_object();
    if (!m) return Bad{param, "message must be an object"};
    auto role = find_string(*m, "role").value_or("");
    const json::value* content = find(*m, "content");
    static const json::value kNull;
    if (!content) content = &kNull;
    if (role == "system" || role == "developer") {
      auto text = text_of(*content);
      if (!text) return Bad{param + ".content", "system content must be text"};
      if (leading) {
        if (!instructions.empty()) instructions += "\n\n";
        instructions += *text;
      } else if (!text->empty()) {
        input.push_back({{"type", "message"}, {"role", "developer"}, {"content", *text}});
      }
      continue;
    }
    leading = false;
    if (role == "user") {
      json::array parts;
      if (auto bad = user_parts(*content, param + ".content", parts)) return bad;
      if (!parts.empty()) input.push_back({{"type", "message"}, {"role", "user"}, {"content", std::move(parts)}});
    } else if (role == "assistant") {
      auto text = text_of(*content);
      if (!text) return Bad{param + ".content", "assistant content must be text"};
      if (!text->empty())
        input.push_back({{"type", "message"},
                         {"role", "assistant"},
                         {"content", json::array{json::object{{"type", "output_text"}, {"text", *text}}}}});
      if (auto* calls = find_array(*m, "tool_calls")) {
        for (std::size_t k = 0; k < calls->size(); ++k) {
          auto* c = (*calls)[k].if_object();
          auto* fn = c ? find_object(*c, "function") : nullptr;
          if (!fn) return Bad{fmt::format("{}.tool_calls[{}].function", param, k), "missing function"};
          auto args = find_string(*fn, "arguments").value_or("{}");
          input.push_back({{"type", "function_call"},
                           {"call_id", responses_call_id(find_string(*c, "id").value_or(""))},
                           {"name", find_string(*fn, "name").value_or("")},
                           {"arguments", args.empty() ? std::string_view("{}") : args}});
        }
      }
    } else if (role == "tool") {
      auto id = find_string(*m, "tool_call_id");
      if (!id) return Bad{param + ".tool_call_id", "tool messages need tool_call_id"};
      auto text = text_of(*content);
      if (!text) return Bad{param + ".content", "tool content must be text"};
      input.push_back({{"type", "function_call_output"}, {"call_id", responses_call_id(*id)}, {"output", *text}});
    } else {
      return Bad{param + ".role", fmt::format("unsupported role '{}'", role)};
    }
  }
  if (!instructions.empty()) body["instructions"] = instructions;
  body["input"] = std::move(input);

  if (auto* tools = find_array(in, "tools"); tools && !tools->empty()) {
    json::array out_tools;
    for (std::size_t i = 0; i < tools->size(); ++i) {
      auto* t = (*tools)[i].if_object();
      auto* fn = t ? find_object(*t, "function") : nullptr;
      if (!fn || !find_string(*fn, "name"))
        return Bad{fmt::format("tools[{}].function.name", i), "missing function name"};
      json::object tool{{"type", "function"}, {"name", *find_string(*fn, "name")}, {"strict", false}};
      if (auto d = find_string(*fn, "description")) tool["description"] = *d;
      auto* params = find(*fn, "parameters");
      tool["parameters"] = sanitize_schema(params ? *params : json::value(json::object{}));
      out_tools.push_back(std::move(tool));
    }
    body["tools"] = std::move(out_tools);
    if (auto* tc = find(in, "tool_choice"); tc && !tc->is_null()) body["tool_choice"] = convert_tool_choice(*tc);
    if (auto p = find_bool(in, "parallel_tool_calls")) body["parallel_tool_calls"] = *p;
  }

  auto max = find_int(in, "max_completion_tokens");
  if (!max) max = find_int(in, "max_tokens");
  if (max && *max > 0) body["max_output_tokens"] = std::max<std::int64_t>(*max, 16);  // the API's minimum

  if (opts.reasoning) {
    json::object reasoning;
    auto effort = opts.effort;
    if (effort.empty())
      if (auto e = find_string(in, "reasoning_effort")) effort = std::string(*e);
    if (!effort.empty()) reasoning["effort"] = effort;
    if (!opts.summary.empty()) reasoning["summary"] = opts.summary;
    if (!reasoning.empty()) body["reasoning"] = std::move(reasoning);
    for (auto key : {"temperature", "top_p", "stop", "presence_penalty", "frequency_penalty", "logit_bias", "seed",
                     "logprobs", "top_logprobs", "n"})
      if (auto* v = find(in, key); v && !v->is_null()) out.dropped.emplace_back(key);
  } else {
    for (auto key : {"temperature", "top_p"})
      if (auto n = find_number(in, key)) body[key] = *n;
  }

  if (auto* rf = find_object(in, "response_format")) {
    auto type = find_string(*rf, "type").value_or("text");
    if (type == "json_schema") {
      if (auto* js = find_object(*rf, "json_schema")) {
        json::object format{{"type", "json_schema"}, {"name", find_string(*js, "name").value_or("response")}};
        if (auto* schema = find(*js, "schema")) format["schema"] = *schema;
        if (auto strict = find_bool(*js, "strict")) format["strict"] = *strict;
        body["text"] = {{"format", std::move(format)}};
      }
    } else if (type == "json_object") {
      body["text"] = {{"format", {{"type", "json_object"}}}};
    }
  }

  // Cursor's conversation id keeps Azure's prompt cache warm across a chat.
  if (auto k = find_string(in, "prompt_cache_key"))
    body["prompt_cache_key"] = *k;
  else if (auto u = find_string(in, "user"); u && !u->empty())
    body["prompt_cache_key"] = sha256_hex(*u).substr(0, 32);

  out.stream = find_bool(in, "stream").value_or(false);
  if (out.stream) {
    body["stream"] = true;
    if (auto* so = find_object(in, "stream_options"))
      out.include_usage = find_bool(*so, "include_usage").value_or(false);
  }
  return std::nullopt;
}

}  // namespace

std::string responses_call_id(std::string_view id) {
  if (id.empty()) return random_id("call_");
  std::string up = call_id_from_tool_use_id(id);
  if (up.size() <= 64) return up;
  return "call_" + sha256_hex(id).substr(0, 40);
}

Result<FromChat> from_chat_request(const json::value& chat, const FromChatOptions& opts) {
  auto* o = chat.if_object();
  if (!o) return Error::invalid("request body must be a JSON object");
  FromChat out;
  if (auto bad = convert(*o, opts, out)) return Error::invalid(bad->param + ": " + bad->message);
  return out;
}

}  // namespace agp::openai::responses
