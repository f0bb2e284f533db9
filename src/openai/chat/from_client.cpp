#include "openai/chat/from_client.hpp"

#include "core/ids.hpp"
#include "core/json_util.hpp"
#include "core/media.hpp"
#include "core/request_body.hpp"

#include <fmt/format.h>

#include <cmath>

namespace agp::openai::chat {

namespace json = boost::json;
using conv::Block;
using conv::BlockType;
using conv::Role;

namespace {

// A validation failure in OpenAI's own wording: the parameter path (error.param), the message,
// and OpenAI's code ("missing_required_parameter", "invalid_type", "invalid_value", …).
struct Bad {
  std::string param, message, code;
};

Bad missing(const std::string& param) {
  return {param, fmt::format("Missing required parameter: '{}'.", param), "missing_required_parameter"};
}

Bad wrong_type(const std::string& param, std::string_view expected, const json::value& got) {
  return {param,
          fmt::format("Invalid type for '{}': expected {}, but got {} instead.", param, expected,
                      body::openai_kind(got)),
          "invalid_type"};
}

// "'a', 'b', and 'c'", as OpenAI lists supported values.
std::string supported_list(std::initializer_list<std::string_view> values) {
  std::string out;
  std::size_t i = 0;
  for (auto v : values) {
    if (i > 0) out += values.size() > 2 ? ", " : " ";
    if (i > 0 && i + 1 == values.size()) out += "and ";
    out.append("'").append(v).append("'");
    ++i;
  }
  return out;
}

Bad bad_value(const std::string& param, std::string_view value, std::initializer_list<std::string_view> supported) {
  return {param, fmt::format("Invalid value: '{}'. Supported values are: {}.", value, supported_list(supported)),
          "invalid_value"};
}

// A number as the client wrote it, near enough: 3, -0.5, 9223372036854775808 (not Boost's -5E-1).
std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  return fmt::format("{}", v.to_number<double>());
}

std::string indexed(std::string_view param, std::size_t i) { return fmt::format("{}[{}]", param, i); }
std::string field(std::string_view param, std::string_view key) { return fmt::format("{}.{}", param, key); }

// Optional typed fields: absent or null is "not given".
const json::value* given(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  return v && !v->is_null() ? v : nullptr;
}

std::optional<Bad> optional_string(const json::object& o, std::string_view key, const std::string& param,
                                   std::optional<std::string>& out) {
  auto* v = given(o, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) return wrong_type(param, "a string", *v);
  out = std::string(v->get_string());
  return std::nullopt;
}

std::optional<Bad> required_string(const json::object& o, std::string_view key, const std::string& param,
                                   std::string& out) {
  std::optional<std::string> s;
  if (auto bad = optional_string(o, key, param, s)) return bad;
  if (!s) return missing(param);
  out = std::move(*s);
  return std::nullopt;
}

std::optional<Bad> optional_bool(const json::object& o, std::string_view key, std::optional<bool>& out) {
  auto* v = given(o, key);
  if (!v) return std::nullopt;
  if (!v->is_bool()) return wrong_type(std::string(key), "a boolean", *v);
  out = v->get_bool();
  return std::nullopt;
}

// An integer parameter ≥ min (and ≤ the proxy's limit); a whole-valued decimal (100.0) counts.
std::optional<Bad> optional_int(const json::object& o, std::string_view key, std::int64_t min,
                                std::optional<std::int64_t>& out) {
  auto* v = given(o, key);
  if (!v) return std::nullopt;
  std::string param(key);
  bool whole = v->is_int64() || v->is_uint64() || (v->is_double() && v->get_double() == std::floor(v->get_double()));
  if (!whole) return wrong_type(param, "an integer", *v);
  double d = v->to_number<double>();
  if (d > static_cast<double>(body::kMaxInteger))
    return Bad{param,
               fmt::format("Invalid '{}': integer above maximum value. Expected a value <= {}, but got {} instead.",
                           param, body::kMaxInteger, number_text(*v)),
               "integer_above_max_value"};
  if (d < static_cast<double>(min))
    return Bad{param,
               fmt::format("Invalid '{}': integer below minimum value. Expected a value >= {}, but got {} instead.",
                           param, min, number_text(*v)),
               "integer_below_min_value"};
  out = static_cast<std::int64_t>(d);
  return std::nullopt;
}

std::optional<Bad> optional_decimal(const json::object& o, std::string_view key, double min, double max,
                                    std::optional<double>& out) {
  auto* v = given(o, key);
  if (!v) return std::nullopt;
  std::string param(key);
  if (!v->is_number()) return wrong_type(param, "a decimal", *v);
  double d = v->to_number<double>();
  if (d > max)
    return Bad{param,
               fmt::format("Invalid '{}': decimal above maximum value. Expected a value <= {}, but got {} instead.",
                           param, max, number_text(*v)),
               "decimal_above_max_value"};
  if (d < min)
    return Bad{param,
               fmt::format("Invalid '{}': decimal below minimum value. Expected a value >= {}, but got {} instead.",
                           param, min, number_text(*v)),
               "decimal_below_min_value"};
  out = d;
  return std::nullopt;
}

Block text_block(std::string_view text) {
  Block b;
  b.text = std::string(text);
  return b;
}

// A content value: a string, or an array of parts, each an object with a string `type`.
template <typename OnString, typename OnPart>
std::optional<Bad> each_part(const json::value& content, const std::string& param, OnString on_string,
                             OnPart on_part) {
  if (content.is_string()) return on_string(content.get_string());
  auto* a = content.if_array();
  if (!a) return wrong_type(param, "one of a string or array of objects", content);
  for (std::size_t i = 0; i < a->size(); ++i) {
    auto p = indexed(param, i);
    auto* o = (*a)[i].if_object();
    if (!o) return wrong_type(p, "an object", (*a)[i]);
    std::string type;
    if (auto bad = required_string(*o, "type", field(p, "type"), type)) return bad;
    if (auto bad = on_part(*o, p, type)) return bad;
  }
  return std::nullopt;
}

// Text content: a string, null (when allowed), or an array of text parts (joined by newlines).
std::optional<Bad> text_content(const json::value* content, const std::string& param, bool null_ok, std::string& out) {
  if (!content || content->is_null()) return null_ok ? std::nullopt : std::optional<Bad>(missing(param));
  auto whole = [&](std::string_view s) -> std::optional<Bad> {
    out = std::string(s);
    return std::nullopt;
  };
  auto part = [&](const json::object& o, const std::string& p, const std::string& type) -> std::optional<Bad> {
    if (type != "text" && type != "input_text" && type != "output_text" && type != "refusal")
      return bad_value(field(p, "type"), type, {"text", "refusal"});
    std::string_view key = type == "refusal" ? "refusal" : "text";
    std::string text;
    if (auto bad = required_string(o, key, field(p, key), text)) return bad;
    if (!out.empty()) out += "\n";
    out += text;
    return std::nullopt;
  };
  return each_part(*content, param, whole, part);
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

// An inline image must be a base64 data URL of an image type, as OpenAI says; https URLs go as they are.
std::optional<Bad> check_image_url(const std::string& url, const std::string& param) {
  if (!url.starts_with("data:")) return std::nullopt;
  constexpr std::string_view kExpected =
      "Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU=')";
  conv::Source s;
  std::string problem;
  if (!split_data_uri(url, s))
    problem = "a data URL that is not base64-encoded";
  else if (!media::supported_image_type(s.media_type))
    problem = fmt::format("unsupported MIME type '{}'", s.media_type);
  else if (!media::valid_base64(s.data))
    problem = "invalid base64 data";
  if (problem.empty()) return std::nullopt;
  return Bad{param, fmt::format("Invalid '{}'. {}, but got {} instead.", param, kExpected, problem), "invalid_value"};
}

std::optional<Bad> image_part(const json::object& o, const std::string& p, Block& b) {
  b.type = BlockType::image;
  b.type_name = "image";
  b.source.type = "url";
  auto* iu = given(o, "image_url");
  if (!iu) return missing(field(p, "image_url"));
  if (iu->is_string()) {
    b.source.url = std::string(iu->get_string());  // a bare URL string: taken, as other gateways do
  } else if (auto* io = iu->if_object()) {
    if (auto bad = required_string(*io, "url", field(p, "image_url.url"), b.source.url)) return bad;
    std::optional<std::string> detail;
    if (auto bad = optional_string(*io, "detail", field(p, "image_url.detail"), detail)) return bad;
    b.source.detail = detail.value_or("");
  } else {
    return wrong_type(field(p, "image_url"), "an object", *iu);
  }
  if (b.source.url.empty()) return missing(field(p, "image_url.url"));
  return check_image_url(b.source.url, field(p, "image_url.url"));
}

std::optional<Bad> file_part(const json::object& o, const std::string& p, Block& b) {
  auto* fv = given(o, "file");
  if (!fv) return missing(field(p, "file"));
  auto* f = fv->if_object();
  if (!f) return wrong_type(field(p, "file"), "an object", *fv);
  b.type = BlockType::document;
  b.type_name = "document";
  std::optional<std::string> name, id, data;
  if (auto bad = optional_string(*f, "filename", field(p, "file.filename"), name)) return bad;
  if (auto bad = optional_string(*f, "file_id", field(p, "file.file_id"), id)) return bad;
  if (auto bad = optional_string(*f, "file_data", field(p, "file.file_data"), data)) return bad;
  b.title = name.value_or("");
  if (id) {
    b.source.type = "file";
    b.source.file_id = *id;
    return std::nullopt;
  }
  auto param = field(p, "file.file_data");
  if (!data) return missing(param);
  if (!split_data_uri(*data, b.source) || !media::valid_base64(b.source.data))
    return Bad{param, fmt::format("Invalid '{}': expected a base64-encoded data URL (or give file_id).", param),
               "invalid_value"};
  return std::nullopt;
}

std::optional<Bad> user_blocks(const json::value* content, const std::string& param, std::vector<Block>& out) {
  if (!content || content->is_null()) return missing(param);
  auto whole = [&](std::string_view s) -> std::optional<Bad> {
    out.push_back(text_block(s));
    return std::nullopt;
  };
  auto part = [&](const json::object& o, const std::string& p, const std::string& type) -> std::optional<Bad> {
    Block b;
    if (type == "text") {
      if (auto bad = required_string(o, "text", field(p, "text"), b.text)) return bad;
    } else if (type == "image_url") {
      if (auto bad = image_part(o, p, b)) return bad;
    } else if (type == "file") {
      if (auto bad = file_part(o, p, b)) return bad;
    } else {
      return bad_value(field(p, "type"), type, {"text", "image_url", "file"});
    }
    out.push_back(std::move(b));
    return std::nullopt;
  };
  return each_part(*content, param, whole, part);
}

std::optional<Bad> tool_call(const json::value& v, const std::string& p, Block& b) {
  auto* c = v.if_object();
  if (!c) return wrong_type(p, "an object", v);
  auto* fv = given(*c, "function");
  if (!fv) return missing(field(p, "function"));
  auto* fn = fv->if_object();
  if (!fn) return wrong_type(field(p, "function"), "an object", *fv);
  b.type = BlockType::tool_use;
  b.type_name = "tool_use";
  std::optional<std::string> id, args;
  if (auto bad = optional_string(*c, "id", field(p, "id"), id)) return bad;
  b.id = id && !id->empty() ? *id : random_id("call_");
  if (auto bad = required_string(*fn, "name", field(p, "function.name"), b.name)) return bad;
  if (auto bad = optional_string(*fn, "arguments", field(p, "function.arguments"), args)) return bad;
  boost::system::error_code ec;
  b.input = parse_json(!args || args->empty() ? std::string_view("{}") : std::string_view(*args), ec);
  if (ec || !b.input.is_object()) b.input = json::string(args.value_or(""));  // passed on as the client sent it
  return std::nullopt;
}

std::optional<Bad> assistant_blocks(const json::object& m, const std::string& param, std::vector<Block>& out) {
  std::string text;
  if (auto bad = text_content(find(m, "content"), field(param, "content"), true, text)) return bad;
  // reasoning_content (ours or another gateway's) is display only: never sent back.
  if (auto t = without_think_prefix(text); !t.empty()) out.push_back(text_block(t));
  auto* cv = given(m, "tool_calls");
  if (!cv) return std::nullopt;
  auto* calls = cv->if_array();
  if (!calls) return wrong_type(field(param, "tool_calls"), "an array", *cv);
  for (std::size_t k = 0; k < calls->size(); ++k) {
    Block b;
    if (auto bad = tool_call((*calls)[k], indexed(field(param, "tool_calls"), k), b)) return bad;
    out.push_back(std::move(b));
  }
  return std::nullopt;
}

std::optional<Bad> tool_result(const json::object& m, const std::string& param, conv::Conversation& c,
                               conv::Message& msg) {
  Block r;
  r.type = BlockType::tool_result;
  r.type_name = "tool_result";
  if (auto bad = required_string(m, "tool_call_id", field(param, "tool_call_id"), r.tool_use_id)) return bad;
  std::string text;
  if (auto bad = text_content(find(m, "content"), field(param, "content"), false, text)) return bad;
  r.content.push_back(text_block(text));
  // Consecutive tool messages answer one assistant turn: one user turn of results.
  if (!c.messages.empty() && c.messages.back().role == Role::user && !c.messages.back().content.empty() &&
      c.messages.back().content.back().type == BlockType::tool_result) {
    c.messages.back().content.push_back(std::move(r));
    return std::nullopt;
  }
  msg.content.push_back(std::move(r));
  c.messages.push_back(std::move(msg));
  return std::nullopt;
}

std::optional<Bad> parse_message(const json::value& v, const std::string& param, bool& leading,
                                 conv::Conversation& c) {
  auto* m = v.if_object();
  if (!m) return wrong_type(param, "an object", v);
  std::string role;
  if (auto bad = required_string(*m, "role", field(param, "role"), role)) return bad;
  if (role == "system" || role == "developer") {
    std::string text;
    if (auto bad = text_content(find(*m, "content"), field(param, "content"), false, text)) return bad;
    if (leading)
      c.system.push_back(text_block(text));
    else
      c.messages.push_back(conv::Message{Role::system, {text_block(text)}});
    return std::nullopt;
  }
  leading = false;
  conv::Message msg;
  if (role == "tool") return tool_result(*m, param, c, msg);
  if (role == "user") {
    if (auto bad = user_blocks(find(*m, "content"), field(param, "content"), msg.content)) return bad;
  } else if (role == "assistant") {
    msg.role = Role::assistant;
    if (auto bad = assistant_blocks(*m, param, msg.content)) return bad;
  } else {
    return bad_value(field(param, "role"), role, {"system", "developer", "user", "assistant", "tool"});
  }
  c.messages.push_back(std::move(msg));
  return std::nullopt;
}

std::optional<Bad> parse_messages(const json::object& in, conv::Conversation& c) {
  auto* mv = given(in, "messages");
  if (!mv) return missing("messages");
  auto* msgs = mv->if_array();
  if (!msgs) return wrong_type("messages", "an array", *mv);
  if (msgs->empty())
    return Bad{"messages",
               "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array "
               "instead.",
               "empty_array"};
  if (msgs->size() > body::kMaxMessages)
    return Bad{"messages",
               fmt::format("Invalid 'messages': array too long. Expected an array with maximum length {}, but got an "
                           "array with length {} instead.",
                           body::kMaxMessages, msgs->size()),
               "array_above_max_length"};
  bool leading = true;
  for (std::size_t i = 0; i < msgs->size(); ++i)
    if (auto bad = parse_message((*msgs)[i], indexed("messages", i), leading, c)) return bad;
  return std::nullopt;
}

// The tool's parameters schema is moved out of the body, not copied (conv::Tool::input_schema).
std::optional<Bad> parse_tool(json::value& body_tool, const std::string& p, conv::Tool& tool) {
  const json::value& v = body_tool;
  auto* t = v.if_object();
  if (!t) return wrong_type(p, "an object", v);
  std::optional<std::string> type;
  if (auto bad = optional_string(*t, "type", field(p, "type"), type)) return bad;
  if (type && *type != "function") return bad_value(field(p, "type"), *type, {"function"});
  auto* fv = given(*t, "function");
  if (!fv) return missing(field(p, "function"));
  auto* fn = fv->if_object();
  if (!fn) return wrong_type(field(p, "function"), "an object", *fv);
  if (auto bad = required_string(*fn, "name", field(p, "function.name"), tool.name)) return bad;
  std::optional<std::string> description;
  if (auto bad = optional_string(*fn, "description", field(p, "function.description"), description)) return bad;
  tool.description = description.value_or("");
  auto* params = given(*fn, "parameters");
  if (params && !params->is_object()) return wrong_type(field(p, "function.parameters"), "an object", *params);
  tool.input_schema = std::make_shared<const json::value>(
      params ? std::move(body_tool.get_object()["function"].get_object()["parameters"])
             : json::value(json::object{{"type", "object"}}));
  return std::nullopt;
}

std::optional<Bad> parse_tool_choice(const json::value& tc, conv::ToolChoice& choice) {
  if (tc.is_string()) {
    auto s = tc.get_string();
    if (s != "none" && s != "auto" && s != "required") return bad_value("tool_choice", s, {"none", "auto", "required"});
    choice.type = s == "required" ? conv::ToolChoiceType::any
                  : s == "none"   ? conv::ToolChoiceType::none
                                  : conv::ToolChoiceType::auto_;
    return std::nullopt;
  }
  auto* o = tc.if_object();
  if (!o) return wrong_type("tool_choice", "one of a string or object", tc);
  auto* fv = given(*o, "function");
  if (!fv) return missing("tool_choice.function");
  auto* fn = fv->if_object();
  if (!fn) return wrong_type("tool_choice.function", "an object", *fv);
  choice.type = conv::ToolChoiceType::tool;
  return required_string(*fn, "name", "tool_choice.function.name", choice.name);
}

std::optional<Bad> parse_tools(json::object& in, conv::Conversation& c) {
  if (auto* tv = given(in, "tools")) {
    if (!tv->is_array()) return wrong_type("tools", "an array", *tv);
    auto* tools = &in["tools"].get_array();
    for (std::size_t i = 0; i < tools->size(); ++i) {
      conv::Tool tool;
      if (auto bad = parse_tool((*tools)[i], indexed("tools", i), tool)) return bad;
      c.tools.push_back(std::move(tool));
    }
  }
  conv::ToolChoice choice;
  bool any = false;
  if (auto* tc = given(in, "tool_choice")) {
    any = true;
    if (auto bad = parse_tool_choice(*tc, choice)) return bad;
  }
  std::optional<bool> parallel;
  if (auto bad = optional_bool(in, "parallel_tool_calls", parallel)) return bad;
  if (parallel) {
    any = true;
    choice.disable_parallel_tool_use = !*parallel;
    choice.parallel_tool_calls = *parallel;
  }
  if (any) c.tool_choice = choice;
  return std::nullopt;
}

std::optional<Bad> parse_stop(const json::object& in, conv::Conversation& c) {
  auto* stop = given(in, "stop");
  if (!stop) return std::nullopt;
  if (stop->is_string()) {
    c.stop_sequences.emplace_back(stop->get_string());
    return std::nullopt;
  }
  auto* a = stop->if_array();
  if (!a) return wrong_type("stop", "one of a string or array of strings", *stop);
  for (std::size_t i = 0; i < a->size(); ++i) {
    if (!(*a)[i].is_string()) return wrong_type(indexed("stop", i), "a string", (*a)[i]);
    c.stop_sequences.emplace_back((*a)[i].get_string());
  }
  return std::nullopt;
}

std::optional<Bad> parse_response_format(const json::object& in, conv::Conversation& c) {
  auto* rv = given(in, "response_format");
  if (!rv) return std::nullopt;
  auto* rf = rv->if_object();
  if (!rf) return wrong_type("response_format", "an object", *rv);
  std::string type;
  if (auto bad = required_string(*rf, "type", "response_format.type", type)) return bad;
  if (type == "json_schema") {
    auto* jv = given(*rf, "json_schema");
    if (!jv) return missing("response_format.json_schema");
    auto* js = jv->if_object();
    if (!js) return wrong_type("response_format.json_schema", "an object", *jv);
    auto* schema = given(*js, "schema");
    if (!schema) return missing("response_format.json_schema.schema");
    if (!schema->is_object()) return wrong_type("response_format.json_schema.schema", "an object", *schema);
    c.output_schema = *schema;
    c.output_name = std::string(find_string(*js, "name").value_or("response"));
    c.output_strict = find_bool(*js, "strict").value_or(false);
  } else if (type == "json_object") {
    c.output_json_object = true;
  } else if (type != "text") {
    return bad_value("response_format.type", type, {"text", "json_object", "json_schema"});
  }
  return std::nullopt;
}

std::optional<Bad> parse_sampling(const json::object& in, conv::Conversation& c) {
  std::optional<std::int64_t> max, legacy;
  if (auto bad = optional_int(in, "max_completion_tokens", 1, max)) return bad;
  if (auto bad = optional_int(in, "max_tokens", 1, legacy)) return bad;
  if (!max) max = legacy;
  c.max_tokens_set = max.has_value();
  if (max) c.max_tokens = *max;
  if (auto bad = optional_decimal(in, "temperature", 0, 2, c.temperature)) return bad;
  if (auto bad = optional_decimal(in, "top_p", 0, 1, c.top_p)) return bad;
  std::optional<std::string> effort;
  if (auto bad = optional_string(in, "reasoning_effort", "reasoning_effort", effort)) return bad;
  if (effort) c.effort = *effort;
  for (auto key : {"presence_penalty", "frequency_penalty", "logit_bias", "seed", "logprobs", "top_logprobs", "n"})
    if (given(in, key)) c.dropped.emplace_back(key);
  if (auto bad = parse_stop(in, c)) return bad;
  return parse_response_format(in, c);
}

std::optional<Bad> parse_options(const json::object& in, conv::Conversation& c) {
  if (auto bad = required_string(in, "model", "model", c.model)) return bad;
  if (auto bad = parse_sampling(in, c)) return bad;
  std::optional<std::string> user, key;
  if (auto bad = optional_string(in, "user", "user", user)) return bad;
  if (auto bad = optional_string(in, "prompt_cache_key", "prompt_cache_key", key)) return bad;
  c.user_id = user.value_or("");
  // The client's cache key (Cursor's conversation) keeps Azure's prompt cache warm across a chat.
  if (key)
    c.prompt_cache_key = *key;
  else if (!c.user_id.empty())
    c.prompt_cache_key = sha256_hex(c.user_id).substr(0, 32);
  std::optional<bool> stream;
  if (auto bad = optional_bool(in, "stream", stream)) return bad;
  c.stream = stream.value_or(false);
  if (auto* so = given(in, "stream_options")) {
    if (!so->is_object()) return wrong_type("stream_options", "an object", *so);
    c.include_usage = c.stream && find_bool(so->get_object(), "include_usage").value_or(false);
  }
  // OpenAI clients show reasoning summaries but cannot return reasoning on later turns.
  c.thinking.type = conv::ThinkingType::adaptive;
  c.carry_reasoning = false;
  c.effort_from_deployment = true;
  return std::nullopt;
}

Error invalid(const Bad& bad) { return Error::invalid(bad.message, bad.param, bad.code); }

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

namespace {
// Parses what it owns: parts of `body` are moved into the conversation.
Result<conv::Conversation> from_owned(json::value& body) {
  auto* o = body.if_object();
  if (!o)
    return invalid({"", fmt::format("Invalid type for the request body: expected an object, but got {} instead.",
                                    body::openai_kind(body)),
                    "invalid_type"});
  conv::Conversation c;
  for (auto step : {parse_options, parse_messages})
    if (auto bad = step(*o, c)) return invalid(*bad);
  if (auto bad = parse_tools(*o, c)) return invalid(*bad);  // moves the tools' schemas out of the body
  return c;
}
}  // namespace

Result<conv::Conversation> from_client_request(const json::value& body) {
  json::value mine = body;
  return from_owned(mine);
}

Result<conv::Conversation> from_client_body(std::string_view text) {
  auto parsed = body::parse(text);
  if (parsed.syntax)
    return Error::invalid("We could not parse the JSON body of your request: " + parsed.syntax->what + " at " +
                          body::position(*parsed.syntax) + ".");
  if (parsed.bad) {
    auto param = body::bracketed(parsed.bad->path);
    return invalid({param, fmt::format("Invalid '{}': {}.", param, parsed.bad->what), "invalid_value"});
  }
  return from_owned(parsed.value);
}

}  // namespace agp::openai::chat
