#include "anthropic/request.hpp"

#include "core/json_util.hpp"

#include <fmt/format.h>

namespace agp::anthropic {

namespace {

// Validation failure at a field path, in the API's own wording style.
struct Fail {
  std::string path, message;
};

using Path = std::string;
Path join(const Path& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}
Path join(const Path& base, std::size_t index) { return base + "." + std::to_string(index); }

std::optional<Fail> expect_string(const json::object& o, std::string_view key, const Path& path, std::string& out,
                                  bool required = true) {
  auto* v = find(o, key);
  if (!v || v->is_null()) {
    if (required) return Fail{join(path, key), "Field required"};
    return std::nullopt;
  }
  if (!v->is_string())
    return Fail{join(path, key), fmt::format("Input should be a valid string, not {}", type_name(*v))};
  out = std::string(v->get_string());
  return std::nullopt;
}

std::optional<Fail> parse_source(const json::object& o, const Path& path, Source& src, bool document) {
  auto* sv = find(o, "source");
  if (!sv) return Fail{join(path, "source"), "Field required"};
  auto* so = sv->if_object();
  if (!so) return Fail{join(path, "source"), "Input should be an object"};
  Path sp = join(path, "source");
  if (auto f = expect_string(*so, "type", sp, src.type)) return f;
  if (src.type == "base64") {
    if (auto f = expect_string(*so, "media_type", sp, src.media_type)) return f;
    if (auto f = expect_string(*so, "data", sp, src.data)) return f;
    if (document && src.media_type != "application/pdf")
      return Fail{join(sp, "media_type"), "Input should be 'application/pdf'"};
    if (!document) {
      static const char* kTypes[] = {"image/jpeg", "image/png", "image/gif", "image/webp"};
      bool ok = false;
      for (auto* t : kTypes) ok |= src.media_type == t;
      if (!ok)
        return Fail{join(sp, "media_type"), "Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"};
    }
    if (src.data.empty()) return Fail{join(sp, "data"), "image or document data must be non-empty"};
  } else if (src.type == "url") {
    if (auto f = expect_string(*so, "url", sp, src.url)) return f;
  } else if (src.type == "text" && document) {
    if (auto f = expect_string(*so, "data", sp, src.data)) return f;
    src.media_type = "text/plain";
  } else if (src.type == "content" && document) {
    // handled by the caller (content blocks)
  } else if (src.type == "file") {
    return Fail{join(sp, "type"), "file sources (Files API) are not supported by this proxy; send the data as base64"};
  } else {
    return Fail{join(sp, "type"), fmt::format("unsupported source type '{}'", src.type)};
  }
  return std::nullopt;
}

std::optional<Fail> parse_block(const json::value& v, const Path& path, Block& b, bool in_tool_result = false);

std::optional<Fail> parse_blocks(const json::value& v, const Path& path, std::vector<Block>& out,
                                 bool in_tool_result = false) {
  if (v.is_string()) {
    Block b;
    b.type = BlockType::text;
    b.type_name = "text";
    b.text = std::string(v.get_string());
    out.push_back(std::move(b));
    return std::nullopt;
  }
  auto* arr = v.if_array();
  if (!arr)
    return Fail{path, fmt::format("Input should be a valid string or list of content blocks, not {}", type_name(v))};
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) {
    Block b;
    if (auto f = parse_block((*arr)[i], join(path, i), b, in_tool_result)) return f;
    out.push_back(std::move(b));
  }
  return std::nullopt;
}

std::optional<Fail> parse_block(const json::value& v, const Path& path, Block& b, bool in_tool_result) {
  auto* o = v.if_object();
  if (!o) return Fail{path, fmt::format("Input should be an object, not {}", type_name(v))};
  if (auto f = expect_string(*o, "type", path, b.type_name)) return f;
  const auto& t = b.type_name;
  if (t == "text") {
    b.type = BlockType::text;
    return expect_string(*o, "text", path, b.text);
  }
  if (t == "image") {
    b.type = BlockType::image;
    return parse_source(*o, path, b.source, false);
  }
  if (t == "document") {
    b.type = BlockType::document;
    if (auto f = parse_source(*o, path, b.source, true)) return f;
    if (auto title = find_string(*o, "title")) b.title = std::string(*title);
    if (b.source.type == "content") {
      auto* so = find_object(*o, "source");
      auto* content = so ? find(*so, "content") : nullptr;
      if (!content) return Fail{join(join(path, "source"), "content"), "Field required"};
      return parse_blocks(*content, join(join(path, "source"), "content"), b.content, true);
    }
    return std::nullopt;
  }
  if (in_tool_result) {
    // Inside tool_result only content blocks are allowed; keep unknown ones as text-ish "other".
    b.type = BlockType::other;
    return std::nullopt;
  }
  if (t == "tool_use") {
    b.type = BlockType::tool_use;
    if (auto f = expect_string(*o, "id", path, b.id)) return f;
    if (auto f = expect_string(*o, "name", path, b.name)) return f;
    auto* input = find(*o, "input");
    if (!input) return Fail{join(path, "input"), "Field required"};
    if (!input->is_object()) return Fail{join(path, "input"), "Input should be a valid dictionary"};
    b.input = *input;
    return std::nullopt;
  }
  if (t == "tool_result") {
    b.type = BlockType::tool_result;
    if (auto f = expect_string(*o, "tool_use_id", path, b.tool_use_id)) return f;
    if (auto* e = find(*o, "is_error"); e && !e->is_null()) {
      if (!e->is_bool()) return Fail{join(path, "is_error"), "Input should be a valid boolean"};
      b.is_error = e->get_bool();
    }
    if (auto* c = find(*o, "content"); c && !c->is_null())
      return parse_blocks(*c, join(path, "content"), b.content, true);
    return std::nullopt;
  }
  if (t == "thinking") {
    b.type = BlockType::thinking;
    if (auto f = expect_string(*o, "thinking", path, b.text)) return f;
    return expect_string(*o, "signature", path, b.signature, false);
  }
  if (t == "redacted_thinking") {
    b.type = BlockType::redacted_thinking;
    return expect_string(*o, "data", path, b.data, false);
  }
  // server_tool_use, web_search_tool_result, search_result, container_upload, ...: results of
  // Anthropic-hosted tools. Kept so the translator can render what it can as text.
  b.type = BlockType::other;
  if (auto text = find_string(*o, "text")) b.text = std::string(*text);
  return std::nullopt;
}

std::optional<Fail> parse_messages(const json::object& o, MessagesRequest& r) {
  auto* msgs = find(o, "messages");
  if (!msgs) return Fail{"messages", "Field required"};
  auto* arr = msgs->if_array();
  if (!arr) return Fail{"messages", "Input should be a valid list"};
  if (arr->empty()) return Fail{"messages", "at least one message is required"};
  if (arr->size() > 100000) return Fail{"messages", "at most 100000 messages are allowed"};
  r.messages.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) {
    Path p = join("messages", i);
    auto* mo = (*arr)[i].if_object();
    if (!mo) return Fail{p, "Input should be an object"};
    Message m;
    std::string role;
    if (auto f = expect_string(*mo, "role", p, role)) return f;
    if (role == "user")
      m.role = Role::user;
    else if (role == "assistant")
      m.role = Role::assistant;
    else if (role == "system")
      m.role = Role::system;
    else
      return Fail{join(p, "role"), "Input should be 'user', 'assistant' or 'system'"};
    auto* c = find(*mo, "content");
    if (!c) return Fail{join(p, "content"), "Field required"};
    if (auto f = parse_blocks(*c, join(p, "content"), m.content)) return f;
    r.messages.push_back(std::move(m));
  }

  if (auto* s = find(o, "system"); s && !s->is_null()) {
    if (auto f = parse_blocks(*s, "system", r.system)) return f;
    for (std::size_t i = 0; i < r.system.size(); ++i)
      if (r.system[i].type != BlockType::text)
        return Fail{join(join("system", i), "type"), "system blocks must be text"};
  }

  return std::nullopt;
}

std::optional<Fail> parse_tools(const json::object& o, MessagesRequest& r) {
  if (auto* tv = find(o, "tools"); tv && !tv->is_null()) {
    auto* ta = tv->if_array();
    if (!ta) return Fail{"tools", "Input should be a valid list"};
    for (std::size_t i = 0; i < ta->size(); ++i) {
      Path p = join("tools", i);
      auto* to = (*ta)[i].if_object();
      if (!to) return Fail{p, "Input should be an object"};
      Tool t;
      if (auto f = expect_string(*to, "type", p, t.type, false)) return f;
      if (auto f = expect_string(*to, "name", p, t.name)) return f;
      if (t.name.empty()) return Fail{join(p, "name"), "String should have at least 1 character"};
      if (auto f = expect_string(*to, "description", p, t.description, false)) return f;
      t.defer_loading = find_bool(*to, "defer_loading").value_or(false);
      if (t.type.empty() || t.type == "custom") {
        auto* schema = find(*to, "input_schema");
        if (!schema) return Fail{join(p, "input_schema"), "Field required"};
        if (!schema->is_object()) return Fail{join(p, "input_schema"), "Input should be a valid dictionary"};
        t.input_schema = *schema;
      }
      r.tools.push_back(std::move(t));
    }
  }

  if (auto* tc = find(o, "tool_choice"); tc && !tc->is_null()) {
    auto* tco = tc->if_object();
    if (!tco) return Fail{"tool_choice", "Input should be an object"};
    ToolChoice choice;
    std::string type;
    if (auto f = expect_string(*tco, "type", "tool_choice", type)) return f;
    if (type == "auto")
      choice.type = ToolChoiceType::auto_;
    else if (type == "any")
      choice.type = ToolChoiceType::any;
    else if (type == "none")
      choice.type = ToolChoiceType::none;
    else if (type == "tool") {
      choice.type = ToolChoiceType::tool;
      if (auto f = expect_string(*tco, "name", "tool_choice", choice.name)) return f;
    } else
      return Fail{"tool_choice.type", "Input should be 'auto', 'any', 'tool' or 'none'"};
    choice.disable_parallel_tool_use = find_bool(*tco, "disable_parallel_tool_use").value_or(false);
    r.tool_choice = choice;
  }

  return std::nullopt;
}

std::optional<Fail> parse_sampling(const json::object& o, MessagesRequest& r) {
  for (auto key : {"temperature", "top_p"}) {
    if (auto* v = find(o, key); v && !v->is_null()) {
      auto n = find_number(o, key);
      if (!n) return Fail{key, "Input should be a valid number"};
      if (*n < 0 || *n > (std::string_view(key) == "temperature" ? 2.0 : 1.0))
        return Fail{key, "Input is out of range"};
      (std::string_view(key) == "temperature" ? r.temperature : r.top_p) = *n;
    }
  }
  if (auto* v = find(o, "top_k"); v && !v->is_null()) {
    auto n = find_int(o, "top_k");
    if (!n || *n < 0) return Fail{"top_k", "Input should be a non-negative integer"};
    r.top_k = *n;
  }

  if (auto* v = find(o, "stop_sequences"); v && !v->is_null()) {
    auto* a = v->if_array();
    if (!a) return Fail{"stop_sequences", "Input should be a valid list"};
    for (std::size_t i = 0; i < a->size(); ++i) {
      auto* s = (*a)[i].if_string();
      if (!s) return Fail{join("stop_sequences", i), "Input should be a valid string"};
      if (!s->empty()) r.stop_sequences.emplace_back(*s);
    }
  }

  if (auto* v = find(o, "stream"); v && !v->is_null()) {
    if (!v->is_bool()) return Fail{"stream", "Input should be a valid boolean"};
    r.stream = v->get_bool();
  }

  return std::nullopt;
}

std::optional<Fail> parse_thinking(const json::object& o, MessagesRequest& r) {
  if (auto* v = find(o, "thinking"); v && !v->is_null()) {
    auto* th = v->if_object();
    if (!th) return Fail{"thinking", "Input should be an object"};
    std::string type;
    if (auto f = expect_string(*th, "type", "thinking", type)) return f;
    if (type == "enabled") {
      r.thinking.type = ThinkingType::enabled;
      auto budget = find_int(*th, "budget_tokens");
      if (!budget) return Fail{"thinking.enabled.budget_tokens", "Field required"};
      if (*budget < 1024)
        return Fail{"thinking.enabled.budget_tokens", "Input should be greater than or equal to 1024"};
      r.thinking.budget_tokens = *budget;
    } else if (type == "adaptive") {
      r.thinking.type = ThinkingType::adaptive;
    } else if (type == "disabled") {
      r.thinking.type = ThinkingType::disabled;
    } else if (type == "between_tools") {
      r.thinking.type = ThinkingType::adaptive;
    } else {
      return Fail{"thinking.type", "Input should be 'enabled', 'adaptive' or 'disabled'"};
    }
    if (auto d = find_string(*th, "display")) r.thinking.display = std::string(*d);
  }

  return std::nullopt;
}

std::optional<Fail> parse_output(const json::object& o, MessagesRequest& r) {
  if (auto* cm = find(o, "context_management"); cm && !cm->is_null()) {
    if (!cm->is_object()) return Fail{"context_management", "Input should be an object"};
    if (auto* edits = cm->get_object().if_contains("edits"); edits && !edits->is_array())
      return Fail{"context_management.edits", "Input should be a valid list"};
    r.context_management = *cm;
  }
  // Structured output: output_config.format, or the older top-level output_format (Claude Code).
  const json::object* format = nullptr;
  std::string format_path;
  if (auto* oc = find_object(o, "output_config")) {
    if (auto e = find_string(*oc, "effort")) r.effort = std::string(*e);
    if ((format = find_object(*oc, "format"))) format_path = "output_config.format";
  }
  if (!format && (format = find_object(o, "output_format"))) format_path = "output_format";
  if (format) {
    auto type = find_string(*format, "type").value_or("");
    if (type != "json_schema") return Fail{format_path + ".type", "Input should be 'json_schema'"};
    auto* schema = find(*format, "schema");
    if (!schema || !schema->is_object()) return Fail{format_path + ".schema", "Input should be a valid dictionary"};
    r.output_schema = *schema;
  }

  if (auto* md = find(o, "metadata"); md && !md->is_null()) {
    auto* mo = md->if_object();
    if (!mo) return Fail{"metadata", "Input should be an object"};
    if (auto u = find_string(*mo, "user_id")) r.user_id = std::string(*u);
    r.prompt_cache_key = session_id_of(r.user_id);  // Azure's prompt cache hits across a session
  }
  return std::nullopt;
}

std::optional<Fail> parse_body(const json::object& o, Endpoint endpoint, MessagesRequest& r) {
  if (auto f = expect_string(o, "model", "", r.model)) return f;
  if (endpoint == Endpoint::messages) {
    auto* mt = find(o, "max_tokens");
    if (!mt) return Fail{"max_tokens", "Field required"};
    auto n = find_int(o, "max_tokens");
    if (!n) return Fail{"max_tokens", "Input should be a valid integer"};
    if (*n < 0) return Fail{"max_tokens", "Input should be greater than or equal to 0"};
    r.max_tokens = *n;
  }

  for (auto step : {parse_messages, parse_tools, parse_sampling, parse_thinking, parse_output})
    if (auto f = step(o, r)) return f;
  return std::nullopt;
}

}  // namespace

Result<MessagesRequest> parse_request(const json::value& body, Endpoint endpoint) {
  auto* o = body.if_object();
  if (!o) return Error::invalid("request body must be a JSON object");
  MessagesRequest r;
  if (auto f = parse_body(*o, endpoint, r)) return Error::invalid(f->path + ": " + f->message);
  return r;
}

Result<MessagesRequest> parse_request(std::string_view body, Endpoint endpoint) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 256;
  auto v = json::parse(body, ec, {}, opts);
  if (ec) return Error::invalid("request body is not valid JSON: " + ec.message());
  return parse_request(v, endpoint);
}

std::string session_id_of(const std::string& user_id) {
  if (user_id.empty() || user_id.front() != '{') return "";
  boost::system::error_code ec;
  auto v = json::parse(user_id, ec);
  if (ec || !v.is_object()) return "";
  auto s = find_string(v.get_object(), "session_id");
  return s ? std::string(*s) : "";
}

}  // namespace agp::anthropic
