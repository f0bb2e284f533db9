#include "validate.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

namespace mock {

namespace json = boost::json;
using std::string;

namespace {

const char* type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
    case json::kind::double_:
      return "a decimal";
    default:
      return "an integer";
  }
}

bool valid_function_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

}  // namespace

ApiError invalid(string message, std::optional<string> param, std::optional<string> code) {
  return ApiError{400, std::move(message), std::move(param), std::move(code)};
}

ApiError bad_type(const string& param, const char* expected, const json::value& got) {
  return invalid("Invalid type for '" + param + "': expected " + expected + ", but got " + type_name(got) + " instead.",
                 param, "invalid_type");
}

bool as_number(const json::value& v, double& out) {
  if (auto p = v.if_int64()) return out = static_cast<double>(*p), true;
  if (auto p = v.if_uint64()) return out = static_cast<double>(*p), true;
  if (auto p = v.if_double()) return out = *p, true;
  return false;
}

std::optional<ApiError> check_name(std::string_view name, const string& param) {
  if (valid_function_name(name)) return std::nullopt;
  return invalid("Invalid '" + param +
                     "': string does not match pattern. Expected a string that matches the "
                     "pattern '^[a-zA-Z0-9_-]{1,64}$'.",
                 param, "invalid_value");
}

namespace {

ApiError err(string message, std::optional<string> param = std::nullopt, std::optional<string> code = std::nullopt) {
  return invalid(std::move(message), std::move(param), std::move(code));
}

constexpr std::array kKnownFields = {"model",
                                     "messages",
                                     "max_tokens",
                                     "max_completion_tokens",
                                     "temperature",
                                     "top_p",
                                     "n",
                                     "stream",
                                     "stream_options",
                                     "stop",
                                     "presence_penalty",
                                     "frequency_penalty",
                                     "logit_bias",
                                     "logprobs",
                                     "top_logprobs",
                                     "user",
                                     "seed",
                                     "tools",
                                     "tool_choice",
                                     "parallel_tool_calls",
                                     "response_format",
                                     "reasoning_effort",
                                     "prompt_cache_key",
                                     "safety_identifier",
                                     "metadata",
                                     "store",
                                     "service_tier",
                                     "modalities",
                                     "prediction",
                                     "audio",
                                     "data_sources",
                                     "verbosity"};

std::optional<ApiError> check_image_url(const json::value& part, const string& param) {
  auto po = part.if_object();
  auto iu = po ? po->if_contains("image_url") : nullptr;
  auto iuo = iu ? iu->if_object() : nullptr;
  if (!iuo)
    return err("Missing required parameter: '" + param + ".image_url'.", param + ".image_url",
               "missing_required_parameter");
  auto url = iuo->if_contains("url");
  auto us = url ? url->if_string() : nullptr;
  if (!us)
    return err("Missing required parameter: '" + param + ".image_url.url'.", param + ".image_url.url",
               "missing_required_parameter");
  std::string_view u = *us;
  if (u.starts_with("https://") && u.size() > 8) return std::nullopt;
  for (std::string_view mime : {"png", "jpeg", "gif", "webp"}) {
    string prefix = "data:image/" + string(mime) + ";base64,";
    if (u.starts_with(prefix) && u.size() > prefix.size()) return std::nullopt;
  }
  return err("Invalid image URL: '" + param +
                 ".image_url.url'. Expected a https URL or a base64-encoded data URL "
                 "with an image MIME type (image/png, image/jpeg, image/gif, image/webp).",
             param + ".image_url.url", "invalid_value");
}

// Content of a user/system/developer/tool message. `allowed` = permitted part types.
std::optional<ApiError> check_content(const json::value* content, const string& p, std::string_view role,
                                      bool allow_empty_string) {
  if (!content || content->is_null())
    return err("Missing required parameter: '" + p + "'.", p, "missing_required_parameter");
  if (auto s = content->if_string()) {
    if (s->empty() && !allow_empty_string)
      return err("Invalid '" + p +
                     "': string too short. Expected a string with minimum length 1, but got an "
                     "empty string instead.",
                 p, "string_too_short");
    return std::nullopt;
  }
  auto arr = content->if_array();
  if (!arr) return bad_type(p, "one of a string or array of objects", *content);
  if (arr->empty())
    return err("Invalid '" + p +
                   "': empty array. Expected an array with minimum length 1, but got an empty array "
                   "instead.",
               p, "empty_array");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    string pp = p + "[" + std::to_string(i) + "]";
    auto po = (*arr)[i].if_object();
    if (!po) return bad_type(pp, "an object", (*arr)[i]);
    auto t = po->if_contains("type");
    auto ts = t ? t->if_string() : nullptr;
    if (!ts) return err("Missing required parameter: '" + pp + ".type'.", pp + ".type", "missing_required_parameter");
    if (*ts == "text") {
      auto tx = po->if_contains("text");
      auto txs = tx ? tx->if_string() : nullptr;
      if (!txs)
        return err("Missing required parameter: '" + pp + ".text'.", pp + ".text", "missing_required_parameter");
      if (txs->empty() && role != "tool")
        return err("Invalid '" + pp +
                       ".text': string too short. Expected a string with minimum length 1, but got "
                       "an empty string instead.",
                   pp + ".text", "string_too_short");
      continue;
    }
    if (*ts == "image_url") {
      if (role != "user")
        return err("Image URLs are only allowed for messages with role 'user', but this message with role '" +
                       string(role) + "' contains an image URL.",
                   p, "invalid_value");
      if (auto e = check_image_url((*arr)[i], pp)) return e;
      continue;
    }
    if (role == "user" && (*ts == "input_audio" || *ts == "file")) continue;
    if (role == "assistant" && *ts == "refusal") continue;
    return err("Invalid value: '" + string(*ts) + "'. Supported values are: 'text'" +
                   (role == "user" ? ", 'image_url', 'input_audio', and 'file'." : "."),
               pp + ".type", "invalid_value");
  }
  return std::nullopt;
}

string join(const std::vector<string>& v) {
  string out;
  for (auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::optional<ApiError> check_messages(const json::array& msgs) {
  std::vector<string> pending;  // tool_call ids still to be answered
  std::size_t pending_from = 0;
  auto unanswered = [&](std::size_t at) {
    return err(
        "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
        "'tool_call_id'. The following tool_call_ids did not have response messages: " +
            join(pending),
        "messages.[" + std::to_string(at) + "].role");
  };
  for (std::size_t i = 0; i < msgs.size(); ++i) {
    string p = "messages[" + std::to_string(i) + "]";
    auto m = msgs[i].if_object();
    if (!m) return bad_type(p, "an object", msgs[i]);
    auto r = m->if_contains("role");
    auto rs = r ? r->if_string() : nullptr;
    if (!rs) return err("Missing required parameter: '" + p + ".role'.", p + ".role", "missing_required_parameter");
    std::string_view role = *rs;
    if (role != "system" && role != "developer" && role != "user" && role != "assistant" && role != "tool")
      return err("Invalid value: '" + string(role) +
                     "'. Supported values are: 'system', 'assistant', 'user', "
                     "'tool', and 'developer'.",
                 p + ".role", "invalid_value");
    if (role != "tool" && !pending.empty()) return unanswered(pending_from);
    const json::value* content = m->if_contains("content");
    string cp = p + ".content";
    if (role == "system" || role == "developer" || role == "user") {
      if (auto e = check_content(content, cp, role, false)) return e;
    } else if (role == "tool") {
      auto id = m->if_contains("tool_call_id");
      auto ids = id ? id->if_string() : nullptr;
      if (!ids)
        return err("Missing parameter 'tool_call_id': messages with role 'tool' must have a 'tool_call_id'.",
                   p + ".tool_call_id");
      auto it = std::find(pending.begin(), pending.end(), string(*ids));
      if (it == pending.end())
        return err(
            "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with "
            "'tool_calls'.",
            "messages.[" + std::to_string(i) + "].role");
      pending.erase(it);
      if (auto e = check_content(content, cp, role, true)) return e;
    } else {  // assistant
      const json::value* tc = m->if_contains("tool_calls");
      bool has_calls = false;
      if (tc && !tc->is_null()) {
        auto arr = tc->if_array();
        if (!arr) return bad_type(p + ".tool_calls", "an array", *tc);
        if (arr->empty())
          return err("Invalid '" + p +
                         ".tool_calls': empty array. Expected an array with minimum length 1, but got "
                         "an empty array instead.",
                     p + ".tool_calls", "empty_array");
        for (std::size_t j = 0; j < arr->size(); ++j) {
          string tp = p + ".tool_calls[" + std::to_string(j) + "]";
          auto c = (*arr)[j].if_object();
          if (!c) return bad_type(tp, "an object", (*arr)[j]);
          auto cid = c->if_contains("id");
          auto cids = cid ? cid->if_string() : nullptr;
          if (!cids)
            return err("Missing required parameter: '" + tp + ".id'.", tp + ".id", "missing_required_parameter");
          if (cids->size() > 40)
            return err("Invalid '" + tp +
                           ".id': string too long. Expected a string with maximum length 40, but got a "
                           "string with length " +
                           std::to_string(cids->size()) + " instead.",
                       tp + ".id", "string_above_max_length");
          auto ty = c->if_contains("type");
          auto tys = ty ? ty->if_string() : nullptr;
          if (!tys || *tys != "function")
            return err("Missing required parameter: '" + tp + ".type'.", tp + ".type", "missing_required_parameter");
          auto fn = c->if_contains("function");
          auto fo = fn ? fn->if_object() : nullptr;
          if (!fo)
            return err("Missing required parameter: '" + tp + ".function'.", tp + ".function",
                       "missing_required_parameter");
          auto nm = fo->if_contains("name");
          auto nms = nm ? nm->if_string() : nullptr;
          if (!nms)
            return err("Missing required parameter: '" + tp + ".function.name'.", tp + ".function.name",
                       "missing_required_parameter");
          if (auto e = check_name(*nms, tp + ".function.name")) return e;
          auto args = fo->if_contains("arguments");
          if (!args || !args->is_string())
            return args ? bad_type(tp + ".function.arguments", "a string", *args)
                        : err("Missing required parameter: '" + tp + ".function.arguments'.",
                              tp + ".function.arguments", "missing_required_parameter");
          pending.emplace_back(*cids);
        }
        has_calls = true;
        pending_from = i;
      }
      if (content && !content->is_null()) {
        if (content->is_array()) {
          if (auto e = check_content(content, cp, role, true)) return e;
        } else if (!content->is_string()) {
          return bad_type(cp, "one of a string or array of objects", *content);
        }
      } else if (!has_calls) {
        return err("Invalid value for 'content': expected a string, got null.", cp);
      }
    }
  }
  if (!pending.empty()) return unanswered(pending_from);
  return std::nullopt;
}

std::optional<ApiError> check_tools(const json::value& tools) {
  auto arr = tools.if_array();
  if (!arr) return bad_type("tools", "an array", tools);
  for (std::size_t i = 0; i < arr->size(); ++i) {
    string p = "tools[" + std::to_string(i) + "]";
    auto t = (*arr)[i].if_object();
    if (!t) return bad_type(p, "an object", (*arr)[i]);
    auto ty = t->if_contains("type");
    auto tys = ty ? ty->if_string() : nullptr;
    if (!tys) return err("Missing required parameter: '" + p + ".type'.", p + ".type", "missing_required_parameter");
    if (*tys != "function")
      return err("Invalid value: '" + string(*tys) + "'. Supported values are: 'function'.", p + ".type",
                 "invalid_value");
    auto fn = t->if_contains("function");
    auto fo = fn ? fn->if_object() : nullptr;
    if (!fo)
      return err("Missing required parameter: '" + p + ".function'.", p + ".function", "missing_required_parameter");
    auto nm = fo->if_contains("name");
    auto nms = nm ? nm->if_string() : nullptr;
    if (!nms)
      return err("Missing required parameter: '" + p + ".function.name'.", p + ".function.name",
                 "missing_required_parameter");
    if (auto e = check_name(*nms, p + ".function.name")) return e;
    if (auto d = fo->if_contains("description"); d && !d->is_string())
      return bad_type(p + ".function.description", "a string", *d);
    if (auto pr = fo->if_contains("parameters"); pr && !pr->is_object())
      return bad_type(p + ".function.parameters", "an object", *pr);
    if (auto s = fo->if_contains("strict"); s && !s->is_bool() && !s->is_null())
      return bad_type(p + ".function.strict", "a boolean", *s);
  }
  return std::nullopt;
}

std::optional<ApiError> check_scalars(const json::object& b, bool reasoning) {
  double d = 0;
  for (const char* k : {"temperature", "top_p", "presence_penalty", "frequency_penalty"}) {
    auto v = b.if_contains(k);
    if (!v || v->is_null()) continue;
    if (!as_number(*v, d)) return bad_type(k, "a number", *v);
    double lo = std::string_view(k) == "temperature" || std::string_view(k) == "top_p" ? 0 : -2;
    double hi = std::string_view(k) == "top_p" ? 1 : 2;
    if (d < lo || d > hi)
      return err("Invalid '" + string(k) + "': decimal out of range.", string(k), "decimal_above_max_value");
    if (reasoning && (std::string_view(k) == "temperature" || std::string_view(k) == "top_p") && d != 1)
      return err("Unsupported value: '" + string(k) + "' does not support " + fmt::format("{}", d) +
                     " with this model. Only the default (1) value is supported.",
                 string(k), "unsupported_value");
  }
  for (const char* k : {"max_tokens", "max_completion_tokens", "n", "seed", "top_logprobs"}) {
    auto v = b.if_contains(k);
    if (!v || v->is_null()) continue;
    if (!v->is_int64() && !v->is_uint64()) return bad_type(k, "an integer", *v);
    if (std::string_view(k) != "seed" && v->is_int64() &&
        v->as_int64() < (std::string_view(k) == "top_logprobs" ? 0 : 1))
      return err("Invalid '" + string(k) + "': integer below minimum value.", string(k), "integer_below_min_value");
  }
  for (const char* k : {"stream", "logprobs", "parallel_tool_calls", "store"}) {
    auto v = b.if_contains(k);
    if (v && !v->is_null() && !v->is_bool()) return bad_type(k, "a boolean", *v);
  }
  for (const char* k : {"model", "user", "prompt_cache_key", "safety_identifier", "reasoning_effort", "verbosity"}) {
    auto v = b.if_contains(k);
    if (v && !v->is_null() && !v->is_string()) return bad_type(k, "a string", *v);
  }
  for (const char* k : {"stream_options", "response_format", "logit_bias", "metadata"}) {
    auto v = b.if_contains(k);
    if (v && !v->is_null() && !v->is_object()) return bad_type(k, "an object", *v);
  }
  if (auto so = b.if_contains("stream_options"); so && !so->is_null()) {
    auto st = b.if_contains("stream");
    if (!st || !st->is_bool() || !st->as_bool())
      return err("The 'stream_options' parameter is only allowed when 'stream' is enabled.", string("stream_options"));
    if (auto iu = so->as_object().if_contains("include_usage"); iu && !iu->is_bool())
      return bad_type("stream_options.include_usage", "a boolean", *iu);
  }
  if (auto re = b.if_contains("reasoning_effort"); re && re->is_string()) {
    std::string_view e = re->as_string();
    if (e != "none" && e != "minimal" && e != "low" && e != "medium" && e != "high")
      return err("Invalid value: '" + string(e) + "'. Supported values are: 'minimal', 'low', 'medium', and 'high'.",
                 string("reasoning_effort"), "invalid_value");
  }
  if (auto tc = b.if_contains("tool_choice"); tc && !tc->is_null()) {
    if (auto s = tc->if_string()) {
      if (*s != "none" && *s != "auto" && *s != "required")
        return err("Invalid value: '" + string(*s) + "'. Supported values are: 'none', 'auto', and 'required'.",
                   string("tool_choice"), "invalid_value");
    } else if (!tc->is_object()) {
      return bad_type("tool_choice", "one of a string or object", *tc);
    }
  }
  return std::nullopt;
}

}  // namespace

string error_body(const ApiError& e) {
  json::object inner;
  inner["message"] = e.message;
  inner["type"] = "invalid_request_error";
  inner["param"] = e.param ? json::value(*e.param) : json::value(nullptr);
  inner["code"] = e.code ? json::value(*e.code) : json::value(nullptr);
  json::object root;
  root["error"] = std::move(inner);
  return json::serialize(root);
}

std::optional<ApiError> validate_chat(const json::object& b, bool reasoning) {
  for (auto& kv : b) {
    std::string_view k = kv.key();
    bool known = std::any_of(kKnownFields.begin(), kKnownFields.end(), [&](const char* f) { return k == f; });
    if (!known || (k == "reasoning_effort" && !reasoning))
      return err("Unrecognized request argument supplied: " + string(k));
  }
  auto msgs = b.if_contains("messages");
  if (!msgs) return err("Missing required parameter: 'messages'.", string("messages"), "missing_required_parameter");
  auto arr = msgs->if_array();
  if (!arr) return bad_type("messages", "an array", *msgs);
  if (arr->empty())
    return err(
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array "
        "instead.",
        string("messages"), "empty_array");
  if (reasoning) {
    if (b.contains("max_tokens"))
      return err(
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' "
          "instead.",
          string("max_tokens"), "unsupported_parameter");
    if (auto s = b.if_contains("stop"); s && !s->is_null())
      return err("Unsupported parameter: 'stop' is not supported with this model.", string("stop"),
                 "unsupported_parameter");
  }
  if (auto e = check_scalars(b, reasoning)) return e;
  if (auto s = b.if_contains("stop"); s && !s->is_null()) {
    if (auto sa = s->if_array()) {
      if (sa->size() > 4)
        return err(
            "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with "
            "length " +
                std::to_string(sa->size()) + " instead.",
            string("stop"), "array_above_max_length");
      for (auto& x : *sa)
        if (!x.is_string()) return bad_type("stop", "one of a string or array of strings", *s);
    } else if (!s->is_string()) {
      return bad_type("stop", "one of a string or array of strings", *s);
    }
  }
  if (auto t = b.if_contains("tools"); t && !t->is_null())
    if (auto e = check_tools(*t)) return e;
  return check_messages(*arr);
}

}  // namespace mock
