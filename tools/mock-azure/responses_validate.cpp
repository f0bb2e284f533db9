#include "responses_validate.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

namespace mock {

namespace json = boost::json;
using std::string;
using std::string_view;

namespace {

constexpr std::array kResponsesFields = {"model",
                                     "input",
                                     "instructions",
                                     "tools",
                                     "tool_choice",
                                     "parallel_tool_calls",
                                     "reasoning",
                                     "include",
                                     "store",
                                     "max_output_tokens",
                                     "previous_response_id",
                                     "prompt_cache_key",
                                     "truncation",
                                     "text",
                                     "stream",
                                     "stream_options",
                                     "temperature",
                                     "top_p",
                                     "metadata",
                                     "safety_identifier",
                                     "user",
                                     "service_tier",
                                     "background"};

constexpr std::array kIncludable = {"reasoning.encrypted_content",    "message.output_text.logprobs",
                                    "message.input_image.image_url",  "web_search_call.results",
                                    "web_search_call.action.sources", "file_search_call.results",
                                    "code_interpreter_call.outputs",  "computer_call_output.output.image_url"};

using Allowed = std::initializer_list<string_view>;

bool in(string_view s, Allowed allowed) { return std::find(allowed.begin(), allowed.end(), s) != allowed.end(); }

// "'a'", "'a' and 'b'", "'a', 'b', and 'c'" as in OpenAI's messages.
template <class Range>
string supported(const Range& allowed) {
  string out;
  std::size_t i = 0, n = std::size(allowed);
  for (auto a : allowed) {
    if (i > 0) out.append(n == 2 ? " and " : (i + 1 == n ? ", and " : ", "));
    out.push_back('\'');
    out.append(string_view(a));
    out.push_back('\'');
    ++i;
  }
  return out;
}

ApiError missing(const string& p) {
  return invalid("Missing required parameter: '" + p + "'.", p, "missing_required_parameter");
}

ApiError unknown(const string& p) { return invalid("Unknown parameter: '" + p + "'.", p, "unknown_parameter"); }

ApiError bad_value(string_view got, const string& p, Allowed allowed) {
  return invalid("Invalid value: '" + string(got) + "'. Supported values are: " + supported(allowed) + ".", p,
                 "invalid_value");
}

ApiError not_persisted(string_view id, bool store) {
  ApiError e = invalid("Item with id '" + string(id) + "' not found." +
                           (store ? string()
                                  : string(" Items are not persisted when `store` is set to false. Try again with "
                                           "`store` set to true, or remove this item from your input.")),
                       string("input"));
  e.status = 404;
  return e;
}

// Keys of `o` outside `allowed` → "Unknown parameter".
std::optional<ApiError> only_keys(const json::object& o, const string& p, Allowed allowed) {
  for (auto& kv : o)
    if (!in(kv.key(), allowed)) return unknown(p + "." + string(kv.key()));
  return std::nullopt;
}

const json::value* field(const json::object& o, string_view k) {
  auto v = o.if_contains(k);
  return v && !v->is_null() ? v : nullptr;
}

// A required string member; `out` points at it on success.
std::optional<ApiError> req_string(const json::object& o, string_view k, const string& p, const json::string*& out) {
  auto v = field(o, k);
  if (!v) return missing(p + "." + string(k));
  out = v->if_string();
  if (!out) return bad_type(p + "." + string(k), "a string", *v);
  return std::nullopt;
}

std::optional<ApiError> opt_type(const json::object& o, string_view k, const string& p, json::kind kind,
                                 const char* what) {
  auto v = field(o, k);
  if (!v) return std::nullopt;
  bool ok = kind == json::kind::int64 ? (v->is_int64() || v->is_uint64()) : v->kind() == kind;
  return ok ? std::nullopt : std::optional<ApiError>(bad_type(p + string(k), what, *v));
}

std::optional<ApiError> check_id_prefix(const json::object& item, const string& p, string_view prefix) {
  auto v = field(item, "id");
  if (!v) return std::nullopt;
  auto s = v->if_string();
  if (!s) return bad_type(p + ".id", "a string", *v);
  if (!s->starts_with(prefix))
    return invalid(
        "Invalid '" + p + ".id': '" + string(*s) + "'. Expected an ID that begins with '" + string(prefix) + "'.",
        p + ".id", "invalid_value");
  return std::nullopt;
}

std::optional<ApiError> check_image(const json::object& part, const string& p) {
  if (auto e = only_keys(part, p, {"type", "image_url", "file_id", "detail"})) return e;
  if (auto d = field(part, "detail")) {
    auto ds = d->if_string();
    if (!ds) return bad_type(p + ".detail", "a string", *d);
    if (!in(*ds, {"low", "high", "auto", "original"}))
      return bad_value(*ds, p + ".detail", {"low", "high", "auto", "original"});
  }
  if (auto f = field(part, "file_id"))
    return f->is_string() ? std::nullopt : std::optional(bad_type(p + ".file_id", "a string", *f));
  auto u = field(part, "image_url");
  if (!u) return invalid("Invalid '" + p + "': one of 'image_url' or 'file_id' must be provided.", p, "invalid_value");
  auto us = u->if_string();
  if (!us) return bad_type(p + ".image_url", "a string", *u);
  string_view url = *us;
  if (url.starts_with("https://") && url.size() > 8) return std::nullopt;
  if (url.starts_with("data:image/")) {
    auto semi = url.find(";base64,");
    if (semi != string_view::npos && semi > 11 && url.size() > semi + 8) return std::nullopt;
  }
  return invalid("Invalid '" + p +
                     ".image_url'. Expected a https URL or a base64-encoded data URL with an image MIME "
                     "type (e.g. 'data:image/png;base64,...').",
                 p + ".image_url", "invalid_value");
}

std::optional<ApiError> check_file(const json::object& part, const string& p) {
  if (auto e = only_keys(part, p, {"type", "file_data", "file_id", "file_url", "filename", "detail"})) return e;
  for (const char* k : {"file_data", "file_id", "file_url", "filename"})
    if (auto e = opt_type(part, k, p + ".", json::kind::string, "a string")) return e;
  if (!field(part, "file_data") && !field(part, "file_id") && !field(part, "file_url"))
    return invalid("Invalid '" + p + "': one of 'file_data', 'file_id' or 'file_url' must be provided.", p,
                   "invalid_value");
  return std::nullopt;
}

std::optional<ApiError> check_text_part(const json::object& part, const string& p, Allowed keys) {
  if (auto e = only_keys(part, p, keys)) return e;
  const json::string* t = nullptr;
  return req_string(part, "text", p, t);
}

// Parts of a message (by role) or of a function_call_output ("tool").
std::optional<ApiError> check_parts(const json::array& parts, const string& p, string_view role) {
  if (parts.empty())
    return invalid("Invalid '" + p +
                       "': empty array. Expected an array with minimum length 1, but got an empty "
                       "array instead.",
                   p, "empty_array");
  for (std::size_t i = 0; i < parts.size(); ++i) {
    string pp = p + "[" + std::to_string(i) + "]";
    auto po = parts[i].if_object();
    if (!po) return bad_type(pp, "an object", parts[i]);
    const json::string* ty = nullptr;
    if (auto e = req_string(*po, "type", pp, ty)) return e;
    if (role == "assistant") {
      if (*ty == "output_text") {
        if (auto e = check_text_part(*po, pp, {"type", "text", "annotations", "logprobs"})) return e;
      } else if (*ty == "refusal") {
        if (auto e = only_keys(*po, pp, {"type", "refusal"})) return e;
        const json::string* r = nullptr;
        if (auto e = req_string(*po, "refusal", pp, r)) return e;
      } else {
        return bad_value(*ty, pp + ".type", {"output_text", "refusal"});
      }
      continue;
    }
    if (*ty == "input_text") {
      if (auto e = check_text_part(*po, pp, {"type", "text"})) return e;
    } else if (*ty == "input_image") {
      if (auto e = check_image(*po, pp)) return e;
    } else if (*ty == "input_file") {
      if (auto e = check_file(*po, pp)) return e;
    } else {
      return bad_value(*ty, pp + ".type", {"input_text", "input_image", "input_file"});
    }
  }
  return std::nullopt;
}

struct InputState {
  bool store = false;
  bool reasoning_since_user = false;  // a reasoning item since the last user message
  std::vector<string> calls;          // call_ids of function_call items so far
  std::vector<string> unanswered;     // ... without a function_call_output yet
};

std::optional<ApiError> needs_reasoning(const InputState& s, const json::object& item, string_view type) {
  auto id = field(item, "id");
  if (s.store || s.reasoning_since_user || !id || !id->is_string()) return std::nullopt;
  return invalid("Item '" + string(id->as_string()) + "' of type '" + string(type) +
                     "' was provided without its required 'reasoning' item.",
                 string("input"));
}

std::optional<ApiError> check_message(const json::object& m, const string& p, InputState& s) {
  if (auto e = only_keys(m, p, {"type", "role", "content", "id", "status", "phase"})) return e;
  const json::string* role = nullptr;
  if (auto e = req_string(m, "role", p, role)) return e;
  if (!in(*role, {"user", "assistant", "system", "developer"}))
    return bad_value(*role, p + ".role", {"assistant", "system", "developer", "user"});
  auto c = field(m, "content");
  if (!c) return missing(p + ".content");
  if (auto parts = c->if_array()) {
    if (auto e = check_parts(*parts, p + ".content", *role)) return e;
  } else if (!c->is_string()) {
    return bad_type(p + ".content", "one of a string or array of objects", *c);
  }
  if (*role == "assistant") {
    if (auto e = check_id_prefix(m, p, "msg")) return e;
    if (auto e = needs_reasoning(s, m, "message")) return e;
  } else if (*role == "user") {
    s.reasoning_since_user = false;
  }
  return std::nullopt;
}

std::optional<ApiError> check_function_call(const json::object& m, const string& p, InputState& s) {
  if (auto e = only_keys(m, p, {"type", "id", "call_id", "name", "arguments", "status"})) return e;
  const json::string *call_id = nullptr, *name = nullptr, *args = nullptr;
  if (auto e = req_string(m, "call_id", p, call_id)) return e;
  if (call_id->size() > 64)
    return invalid("Invalid '" + p +
                       ".call_id': string too long. Expected a string with maximum length 64, but got "
                       "a string with length " +
                       std::to_string(call_id->size()) + " instead.",
                   p + ".call_id", "string_above_max_length");
  if (call_id->empty())
    return invalid("Invalid '" + p +
                       ".call_id': string too short. Expected a string with minimum length 1, but got "
                       "an empty string instead.",
                   p + ".call_id", "string_too_short");
  if (auto e = req_string(m, "name", p, name)) return e;
  if (auto e = check_name(*name, p + ".name")) return e;
  if (auto e = req_string(m, "arguments", p, args)) return e;
  if (auto e = check_id_prefix(m, p, "fc")) return e;
  if (auto e = needs_reasoning(s, m, "function_call")) return e;
  s.calls.emplace_back(*call_id);
  s.unanswered.emplace_back(*call_id);
  return std::nullopt;
}

std::optional<ApiError> check_function_call_output(const json::object& m, const string& p, InputState& s) {
  if (auto e = only_keys(m, p, {"type", "id", "call_id", "output", "status"})) return e;
  const json::string* call_id = nullptr;
  if (auto e = req_string(m, "call_id", p, call_id)) return e;
  auto out = field(m, "output");
  if (!out) return missing(p + ".output");
  if (auto parts = out->if_array()) {
    if (auto e = check_parts(*parts, p + ".output", "tool")) return e;
  } else if (!out->is_string()) {
    return bad_type(p + ".output", "one of a string or array of objects", *out);
  }
  if (std::find(s.calls.begin(), s.calls.end(), string(*call_id)) == s.calls.end())
    return invalid("No tool call found for function call output with call_id " + string(*call_id) + ".",
                   string("input"));
  std::erase(s.unanswered, string(*call_id));
  return std::nullopt;
}

std::optional<ApiError> check_reasoning(const json::object& m, const string& p, InputState& s) {
  if (auto e = only_keys(m, p, {"type", "id", "summary", "content", "encrypted_content", "status"})) return e;
  if (auto e = check_id_prefix(m, p, "rs")) return e;
  auto sum = field(m, "summary");
  if (!sum) return missing(p + ".summary");
  auto sa = sum->if_array();
  if (!sa) return bad_type(p + ".summary", "an array", *sum);
  for (std::size_t i = 0; i < sa->size(); ++i) {
    string pp = p + ".summary[" + std::to_string(i) + "]";
    auto so = (*sa)[i].if_object();
    if (!so) return bad_type(pp, "an object", (*sa)[i]);
    const json::string* ty = nullptr;
    if (auto e = req_string(*so, "type", pp, ty)) return e;
    if (*ty != "summary_text") return bad_value(*ty, pp + ".type", {"summary_text"});
    if (auto e = check_text_part(*so, pp, {"type", "text"})) return e;
  }
  if (auto c = field(m, "content")) {
    auto ca = c->if_array();
    if (!ca) return bad_type(p + ".content", "an array", *c);
    for (std::size_t i = 0; i < ca->size(); ++i) {
      string pp = p + ".content[" + std::to_string(i) + "]";
      auto co = (*ca)[i].if_object();
      if (!co) return bad_type(pp, "an object", (*ca)[i]);
      const json::string* ty = nullptr;
      if (auto e = req_string(*co, "type", pp, ty)) return e;
      if (*ty != "reasoning_text") return bad_value(*ty, pp + ".type", {"reasoning_text"});
      if (auto e = check_text_part(*co, pp, {"type", "text"})) return e;
    }
  }
  if (auto e = opt_type(m, "encrypted_content", p + ".", json::kind::string, "a string")) return e;
  if (!field(m, "encrypted_content")) {
    // Without its encrypted content the item is only a reference to a stored item, and the mock stores nothing.
    auto id = field(m, "id");
    if (!id) return missing(p + ".encrypted_content");
    return not_persisted(id->as_string(), s.store);
  }
  s.reasoning_since_user = true;
  return std::nullopt;
}

std::optional<ApiError> check_input(const json::array& items, InputState& s) {
  if (items.empty())
    return invalid(
        "Invalid 'input': empty array. Expected an array with minimum length 1, but got an empty array "
        "instead.",
        string("input"), "empty_array");
  for (std::size_t i = 0; i < items.size(); ++i) {
    string p = "input[" + std::to_string(i) + "]";
    auto o = items[i].if_object();
    if (!o) return bad_type(p, "an object", items[i]);
    string_view type = "message";
    if (auto t = field(*o, "type")) {
      auto ts = t->if_string();
      if (!ts) return bad_type(p + ".type", "a string", *t);
      type = *ts;
    } else if (!field(*o, "role")) {
      return missing(p + ".role");
    }
    std::optional<ApiError> e;
    if (type == "message")
      e = check_message(*o, p, s);
    else if (type == "function_call")
      e = check_function_call(*o, p, s);
    else if (type == "function_call_output")
      e = check_function_call_output(*o, p, s);
    else if (type == "reasoning")
      e = check_reasoning(*o, p, s);
    else if (type == "item_reference") {
      const json::string* id = nullptr;
      e = req_string(*o, "id", p, id);
      if (!e) e = not_persisted(*id, s.store);
    } else
      e = bad_value(type, p + ".type",
                    {"message", "function_call", "function_call_output", "reasoning", "item_reference"});
    if (e) return e;
  }
  if (!s.unanswered.empty())
    return invalid("No tool output found for function call " + s.unanswered.front() + ".", string("input"));
  return std::nullopt;
}

std::optional<ApiError> check_tools(const json::array& tools) {
  for (std::size_t i = 0; i < tools.size(); ++i) {
    string p = "tools[" + std::to_string(i) + "]";
    auto t = tools[i].if_object();
    if (!t) return bad_type(p, "an object", tools[i]);
    const json::string* ty = nullptr;
    if (auto e = req_string(*t, "type", p, ty)) return e;
    if (*ty != "function" && *ty != "custom") return bad_value(*ty, p + ".type", {"function", "custom"});
    const json::string* name = nullptr;
    if (auto e = req_string(*t, "name", p, name)) return e;  // a nested Chat-style `function` lands here
    if (auto e = check_name(*name, p + ".name")) return e;
    if (auto e = opt_type(*t, "description", p + ".", json::kind::string, "a string")) return e;
    if (*ty == "custom") {
      if (auto e = only_keys(*t, p, {"type", "name", "description", "format"})) return e;
      if (auto e = opt_type(*t, "format", p + ".", json::kind::object, "an object")) return e;
      continue;
    }
    if (auto e = only_keys(*t, p, {"type", "name", "description", "parameters", "strict", "defer_loading"})) return e;
    if (auto e = opt_type(*t, "parameters", p + ".", json::kind::object, "an object")) return e;
    if (auto e = opt_type(*t, "strict", p + ".", json::kind::bool_, "a boolean")) return e;
  }
  return std::nullopt;
}

bool has_tool(const json::value* tools, string_view name) {
  auto arr = tools ? tools->if_array() : nullptr;
  if (!arr) return false;
  return std::any_of(arr->begin(), arr->end(), [&](const json::value& t) {
    auto o = t.if_object();
    auto n = o ? o->if_contains("name") : nullptr;
    return n && n->is_string() && n->as_string() == name;
  });
}

std::optional<ApiError> check_tool_choice(const json::value& tc, const json::value* tools) {
  if (auto s = tc.if_string()) {
    if (!in(*s, {"none", "auto", "required"})) return bad_value(*s, "tool_choice", {"none", "auto", "required"});
    return std::nullopt;
  }
  auto o = tc.if_object();
  if (!o) return bad_type("tool_choice", "one of a string or object", tc);
  const json::string* ty = nullptr;
  if (auto e = req_string(*o, "type", "tool_choice", ty)) return e;
  if (*ty == "function" || *ty == "custom") {
    if (auto e = only_keys(*o, "tool_choice", {"type", "name"})) return e;
    const json::string* name = nullptr;
    if (auto e = req_string(*o, "name", "tool_choice", name)) return e;
    if (!has_tool(tools, *name))
      return invalid("Tool choice '" + string(*name) + "' not found in 'tools' parameter.", string("tool_choice"),
                     "invalid_value");
    return std::nullopt;
  }
  if (*ty == "allowed_tools") {
    if (auto e = only_keys(*o, "tool_choice", {"type", "mode", "tools"})) return e;
    const json::string* mode = nullptr;
    if (auto e = req_string(*o, "mode", "tool_choice", mode)) return e;
    if (!in(*mode, {"auto", "required"})) return bad_value(*mode, "tool_choice.mode", {"auto", "required"});
    auto ts = field(*o, "tools");
    if (!ts) return missing("tool_choice.tools");
    if (!ts->is_array()) return bad_type("tool_choice.tools", "an array", *ts);
    return std::nullopt;
  }
  return bad_value(*ty, "tool_choice.type", {"function", "custom", "allowed_tools"});
}

std::optional<ApiError> check_reasoning_param(const json::object& r, bool reasoning_model) {
  if (auto e = only_keys(r, "reasoning", {"effort", "summary", "generate_summary"})) return e;
  if (!reasoning_model) {
    for (const char* k : {"effort", "summary", "generate_summary"})
      if (field(r, k))
        return invalid("Unsupported parameter: 'reasoning." + string(k) + "' is not supported with this model.",
                       "reasoning." + string(k), "unsupported_parameter");
    return std::nullopt;
  }
  if (auto e = field(r, "effort")) {
    auto es = e->if_string();
    if (!es) return bad_type("reasoning.effort", "a string", *e);
    Allowed efforts = {"none", "minimal", "low", "medium", "high", "xhigh"};
    if (!in(*es, efforts)) return bad_value(*es, "reasoning.effort", efforts);
  }
  for (const char* k : {"summary", "generate_summary"})
    if (auto s = field(r, k)) {
      auto ss = s->if_string();
      if (!ss) return bad_type("reasoning." + string(k), "a string", *s);
      if (!in(*ss, {"auto", "concise", "detailed"}))
        return bad_value(*ss, "reasoning." + string(k), {"auto", "concise", "detailed"});
    }
  return std::nullopt;
}

std::optional<ApiError> check_text_param(const json::object& t) {
  if (auto e = only_keys(t, "text", {"format", "verbosity"})) return e;
  if (auto v = field(t, "verbosity")) {
    auto vs = v->if_string();
    if (!vs) return bad_type("text.verbosity", "a string", *v);
    if (!in(*vs, {"low", "medium", "high"})) return bad_value(*vs, "text.verbosity", {"low", "medium", "high"});
  }
  auto f = field(t, "format");
  if (!f) return std::nullopt;
  auto fo = f->if_object();
  if (!fo) return bad_type("text.format", "an object", *f);
  const json::string* ty = nullptr;
  if (auto e = req_string(*fo, "type", "text.format", ty)) return e;
  if (*ty == "text" || *ty == "json_object") return only_keys(*fo, "text.format", {"type"});
  if (*ty != "json_schema") return bad_value(*ty, "text.format.type", {"text", "json_object", "json_schema"});
  const json::string* name = nullptr;
  if (auto e = req_string(*fo, "name", "text.format", name)) return e;  // Chat's nested `json_schema` lands here
  if (auto e = only_keys(*fo, "text.format", {"type", "name", "schema", "strict", "description"})) return e;
  auto sc = field(*fo, "schema");
  if (!sc) return missing("text.format.schema");
  if (!sc->is_object()) return bad_type("text.format.schema", "an object", *sc);
  if (auto e = opt_type(*fo, "strict", "text.format.", json::kind::bool_, "a boolean")) return e;
  return opt_type(*fo, "description", "text.format.", json::kind::string, "a string");
}

std::optional<ApiError> check_responses_scalars(const json::object& b, bool reasoning_model) {
  for (const char* k : {"model", "instructions", "previous_response_id", "prompt_cache_key", "safety_identifier",
                        "user", "service_tier", "truncation"})
    if (auto e = opt_type(b, k, "", json::kind::string, "a string")) return e;
  for (const char* k : {"parallel_tool_calls", "store", "stream", "background"})
    if (auto e = opt_type(b, k, "", json::kind::bool_, "a boolean")) return e;
  for (const char* k : {"reasoning", "text", "stream_options", "metadata"})
    if (auto e = opt_type(b, k, "", json::kind::object, "an object")) return e;
  for (const char* k : {"include", "tools"})
    if (auto e = opt_type(b, k, "", json::kind::array, "an array")) return e;
  if (auto e = opt_type(b, "max_output_tokens", "", json::kind::int64, "an integer")) return e;
  if (auto m = field(b, "max_output_tokens"); m && m->is_int64() && m->as_int64() < 16)
    return invalid("Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got " +
                       std::to_string(m->as_int64()) + " instead.",
                   string("max_output_tokens"), "integer_below_min_value");
  for (const char* k : {"temperature", "top_p"}) {
    auto v = field(b, k);
    if (!v) continue;
    double d = 0;
    if (!as_number(*v, d)) return bad_type(k, "a number", *v);
    double hi = string_view(k) == "top_p" ? 1 : 2;
    if (d < 0 || d > hi)
      return invalid("Invalid '" + string(k) + "': decimal out of range.", string(k),
                     d < 0 ? "decimal_below_min_value" : "decimal_above_max_value");
    if (reasoning_model && d != 1)
      return invalid("Unsupported parameter: '" + string(k) + "' is not supported with this model.", string(k),
                     "unsupported_parameter");
  }
  if (auto t = field(b, "truncation"); t && !in(t->as_string(), {"auto", "disabled"}))
    return bad_value(t->as_string(), "truncation", {"auto", "disabled"});
  if (auto t = field(b, "service_tier"); t && !in(t->as_string(), {"auto", "default", "flex", "priority", "scale"}))
    return bad_value(t->as_string(), "service_tier", {"auto", "default", "flex", "priority", "scale"});
  if (auto s = field(b, "safety_identifier"); s && s->as_string().size() > 64)
    return invalid(
        "Invalid 'safety_identifier': string too long. Expected a string with maximum length 64, but got "
        "a string with length " +
            std::to_string(s->as_string().size()) + " instead.",
        string("safety_identifier"), "string_above_max_length");
  if (auto so = field(b, "stream_options")) {
    auto st = field(b, "stream");
    if (!st || !st->as_bool())
      return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                     string("stream_options"));
    if (auto e = only_keys(so->as_object(), "stream_options", {"include_obfuscation"})) return e;
    if (auto e = opt_type(so->as_object(), "include_obfuscation", "stream_options.", json::kind::bool_, "a boolean"))
      return e;
  }
  return std::nullopt;
}

}  // namespace

bool responses_includes(const json::object& body, string_view what) {
  auto inc = body.if_contains("include");
  auto arr = inc ? inc->if_array() : nullptr;
  if (!arr) return false;
  return std::any_of(arr->begin(), arr->end(),
                     [&](const json::value& v) { return v.is_string() && v.as_string() == what; });
}

std::optional<ApiError> validate_responses(const json::object& b, bool reasoning_model) {
  for (auto& kv : b) {
    string_view k = kv.key();
    if (std::none_of(kResponsesFields.begin(), kResponsesFields.end(), [&](const char* f) { return k == f; }))
      return invalid("Unrecognized request argument supplied: " + string(k));
  }
  if (!field(b, "model")) return missing("model");
  if (auto e = check_responses_scalars(b, reasoning_model)) return e;
  if (auto r = field(b, "reasoning"))
    if (auto e = check_reasoning_param(r->as_object(), reasoning_model)) return e;
  if (auto inc = field(b, "include")) {
    auto& arr = inc->as_array();
    for (std::size_t i = 0; i < arr.size(); ++i) {
      string p = "include[" + std::to_string(i) + "]";
      auto s = arr[i].if_string();
      if (!s) return bad_type(p, "a string", arr[i]);
      if (std::none_of(kIncludable.begin(), kIncludable.end(), [&](const char* f) { return *s == f; }))
        return invalid("Invalid value: '" + string(*s) + "'. Supported values are: " + supported(kIncludable) + ".", p,
                       "invalid_value");
    }
  }
  if (!reasoning_model && responses_includes(b, "reasoning.encrypted_content"))
    return invalid("Encrypted content is not supported with this model.", string("include"), "unsupported_parameter");
  if (auto t = field(b, "text"))
    if (auto e = check_text_param(t->as_object())) return e;
  auto tools = field(b, "tools");
  if (tools)
    if (auto e = check_tools(tools->as_array())) return e;
  if (auto tc = field(b, "tool_choice"))
    if (auto e = check_tool_choice(*tc, tools)) return e;
  if (auto prev = field(b, "previous_response_id"))
    return invalid("Previous response with id '" + string(prev->as_string()) + "' not found.",
                   string("previous_response_id"), "previous_response_not_found");
  auto input = field(b, "input");
  if (!input) return missing("input");
  if (input->is_string()) return std::nullopt;
  auto items = input->if_array();
  if (!items) return bad_type("input", "one of a string or array of objects", *input);
  InputState s;
  if (auto st = field(b, "store")) s.store = st->as_bool();
  return check_input(*items, s);
}

}  // namespace mock
