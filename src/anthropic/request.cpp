#include "anthropic/request.hpp"

#include "core/json_util.hpp"
#include "core/media.hpp"
#include "core/request_body.hpp"

#include <fmt/format.h>

#include <cmath>
#include <span>

namespace agp::anthropic {

namespace {

// Validation failure at a field path, in the API's own wording (pydantic's): unions are addressed
// by their tag, as Anthropic does ("messages.3.content.0.tool_use.id", "…image.source.base64.data").
struct Fail {
  std::string path, message;
};

using Path = std::string;
Path join(const Path& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}
Path join(const Path& base, std::size_t index) { return base + "." + std::to_string(index); }
Path join(const Path& base, std::string_view tag, std::string_view key) { return join(join(base, tag), key); }

constexpr std::string_view kNotAnObject = "Input should be a valid dictionary or object to extract fields from";

std::string quoted_list(std::span<const std::string_view> items) {
  std::string out;
  for (auto it : items) out.append(out.empty() ? "'" : ", '").append(it).append("'");
  return out;
}

// The tag of a union member ("type"): present, a string, one of `tags`.
std::optional<Fail> expect_tag(const json::object& o, const Path& path, std::span<const std::string_view> tags,
                               std::string& out) {
  auto* v = find(o, "type");
  if (!v || v->is_null()) return Fail{path, "Unable to extract tag using discriminator 'type'"};
  out = v->is_string() ? std::string(v->get_string()) : dump(*v);
  bool known = false;
  for (auto t : tags) known |= v->is_string() && out == t;
  if (!known)
    return Fail{path, fmt::format("Input tag '{}' found using 'type' does not match any of the expected tags: {}", out,
                                  quoted_list(tags))};
  return std::nullopt;
}

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

// An integer field within [min, body::kMaxInteger]; whole-valued decimals (2.0) count, as in pydantic.
std::optional<Fail> expect_int(const json::value& v, const Path& path, std::int64_t min, std::int64_t& out) {
  constexpr auto max = body::kMaxInteger;
  auto too_big = Fail{path, fmt::format("Input should be less than or equal to {}", max)};
  auto too_small = Fail{path, fmt::format("Input should be greater than or equal to {}", min)};
  if (v.is_uint64()) return too_big;  // beyond int64
  if (auto* d = v.if_double()) {
    if (*d != std::floor(*d)) return Fail{path, "Input should be a valid integer, got a number with a fractional part"};
    if (*d > static_cast<double>(max)) return too_big;
    if (*d < static_cast<double>(min)) return too_small;
    out = static_cast<std::int64_t>(*d);
    return std::nullopt;
  }
  if (!v.is_int64()) return Fail{path, "Input should be a valid integer"};
  if (v.get_int64() > max) return too_big;
  if (v.get_int64() < min) return too_small;
  out = v.get_int64();
  return std::nullopt;
}

std::optional<Fail> expect_number(const json::value& v, const Path& path, double min, double max, double& out) {
  if (!v.is_number()) return Fail{path, "Input should be a valid number"};
  out = v.to_number<double>();
  if (out < min) return Fail{path, fmt::format("Input should be greater than or equal to {}", min)};
  if (out > max) return Fail{path, fmt::format("Input should be less than or equal to {}", max)};
  return std::nullopt;
}

// A base64 image: one of the four types, data that is base64 and, as far as its first bytes tell,
// an image of the type it claims.
std::optional<Fail> check_base64_image(const Source& src, const Path& base64_path) {
  if (!media::supported_image_type(src.media_type))
    return Fail{join(base64_path, "media_type"), "Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'"};
  if (!media::valid_base64(src.data)) return Fail{join(base64_path, "data"), "Input should be valid base64 data"};
  auto actual = media::sniffed_image_type(src.data);
  if (!actual.empty() && actual != src.media_type)
    return Fail{base64_path, fmt::format("The image was specified using the {} media type, but the image appears to be a {} image",
                                         src.media_type, actual)};
  return std::nullopt;
}

// A block's source, at <block path>.<block tag>.source; its fields under the source's tag.
std::optional<Fail> parse_source(const json::object& o, const Path& source_path, Source& src, bool document) {
  auto* sv = find(o, "source");
  if (!sv || sv->is_null()) return Fail{source_path, "Field required"};
  auto* so = sv->if_object();
  if (!so) return Fail{source_path, std::string(kNotAnObject)};
  static constexpr std::string_view kDocumentSources[] = {"base64", "text", "content", "url", "file"};
  static constexpr std::string_view kImageSources[] = {"base64", "url", "file"};
  auto tags = document ? std::span<const std::string_view>(kDocumentSources) : std::span<const std::string_view>(kImageSources);
  if (auto f = expect_tag(*so, source_path, tags, src.type)) return f;
  Path sp = join(source_path, src.type);
  if (src.type == "base64") {
    if (auto f = expect_string(*so, "media_type", sp, src.media_type)) return f;
    if (auto f = expect_string(*so, "data", sp, src.data)) return f;
    if (src.data.empty()) return Fail{join(sp, "data"), "image or document data must be non-empty"};
    if (!document) return check_base64_image(src, sp);
    if (src.media_type != "application/pdf") return Fail{join(sp, "media_type"), "Input should be 'application/pdf'"};
    if (!media::valid_base64(src.data)) return Fail{join(sp, "data"), "Input should be valid base64 data"};
  } else if (src.type == "url") {
    return expect_string(*so, "url", sp, src.url);
  } else if (src.type == "text") {
    if (auto f = expect_string(*so, "data", sp, src.data)) return f;
    src.media_type = "text/plain";
  } else if (src.type == "file") {
    return Fail{sp, "file sources (Files API) are not supported by this proxy; send the data as base64"};
  }
  return std::nullopt;  // content: the caller reads the blocks
}

// Every block type of the Messages API (SDK 1.14.0, beta included); inside a tool_result, fewer.
constexpr std::string_view kBlockTags[] = {
    "text", "image", "document", "search_result", "thinking", "redacted_thinking", "tool_use", "tool_result",
    "server_tool_use", "web_search_tool_result", "web_fetch_tool_result", "advisor_tool_result",
    "code_execution_tool_result", "bash_code_execution_tool_result", "text_editor_code_execution_tool_result",
    "tool_search_tool_result", "mcp_tool_use", "mcp_tool_result", "container_upload", "compaction", "tool_addition",
    "tool_removal", "mcp_tool_listing", "fallback"};
constexpr std::string_view kToolResultTags[] = {"text",     "image",          "search_result",
                                                                     "document", "tool_reference", "browser_state"};

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

std::optional<Fail> parse_media_block(const json::object& o, const Path& path, Block& b) {
  const auto& t = b.type_name;
  if (t == "image") {
    b.type = BlockType::image;
    return parse_source(o, join(path, t, "source"), b.source, false);
  }
  b.type = BlockType::document;
  Path source_path = join(path, t, "source");
  if (auto f = parse_source(o, source_path, b.source, true)) return f;
  if (auto title = find_string(o, "title")) b.title = std::string(*title);
  if (b.source.type != "content") return std::nullopt;
  auto* content = find(*find_object(o, "source"), "content");
  Path content_path = join(source_path, "content", "content");
  if (!content) return Fail{content_path, "Field required"};
  return parse_blocks(*content, content_path, b.content, true);
}

std::optional<Fail> parse_block(const json::value& v, const Path& path, Block& b, bool in_tool_result) {
  auto* o = v.if_object();
  if (!o) return Fail{path, std::string(kNotAnObject)};
  auto tags = in_tool_result ? std::span<const std::string_view>(kToolResultTags) : std::span<const std::string_view>(kBlockTags);
  if (auto f = expect_tag(*o, path, tags, b.type_name)) return f;
  const auto& t = b.type_name;
  Path at = join(path, t);
  if (t == "text") {
    b.type = BlockType::text;
    return expect_string(*o, "text", at, b.text);
  }
  if (t == "image" || t == "document") return parse_media_block(*o, path, b);
  if (in_tool_result) {
    // search_result, tool_reference, browser_state: kept as "other", rendered as text where it can be.
    b.type = BlockType::other;
    return std::nullopt;
  }
  if (t == "tool_use") {
    b.type = BlockType::tool_use;
    if (auto f = expect_string(*o, "id", at, b.id)) return f;
    if (auto f = expect_string(*o, "name", at, b.name)) return f;
    auto* input = find(*o, "input");
    if (!input) return Fail{join(at, "input"), "Field required"};
    if (!input->is_object()) return Fail{join(at, "input"), "Input should be a valid dictionary"};
    b.input = *input;
    return std::nullopt;
  }
  if (t == "tool_result") {
    b.type = BlockType::tool_result;
    if (auto f = expect_string(*o, "tool_use_id", at, b.tool_use_id)) return f;
    if (auto* e = find(*o, "is_error"); e && !e->is_null()) {
      if (!e->is_bool()) return Fail{join(at, "is_error"), "Input should be a valid boolean"};
      b.is_error = e->get_bool();
    }
    if (auto* c = find(*o, "content"); c && !c->is_null()) return parse_blocks(*c, join(at, "content"), b.content, true);
    return std::nullopt;
  }
  if (t == "thinking") {
    b.type = BlockType::thinking;
    if (auto f = expect_string(*o, "thinking", at, b.text)) return f;
    return expect_string(*o, "signature", at, b.signature, false);
  }
  if (t == "redacted_thinking") {
    b.type = BlockType::redacted_thinking;
    return expect_string(*o, "data", at, b.data, false);
  }
  // server_tool_use, web_search_tool_result, search_result, container_upload, ...: results of
  // Anthropic-hosted tools. Kept so the translator can render what it can as text.
  b.type = BlockType::other;
  if (auto text = find_string(*o, "text")) b.text = std::string(*text);
  return std::nullopt;
}

std::optional<Fail> parse_message(const json::value& v, const Path& p, Message& m) {
  auto* mo = v.if_object();
  if (!mo) return Fail{p, std::string(kNotAnObject)};
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
  return parse_blocks(*c, join(p, "content"), m.content);
}

std::optional<Fail> parse_messages(const json::object& o, MessagesRequest& r) {
  auto* msgs = find(o, "messages");
  if (!msgs) return Fail{"messages", "Field required"};
  auto* arr = msgs->if_array();
  if (!arr) return Fail{"messages", "Input should be a valid list"};
  if (arr->empty()) return Fail{"messages", "at least one message is required"};
  if (arr->size() > body::kMaxMessages)
    return Fail{"messages", fmt::format("List should have at most {} items after validation, not {}",
                                        body::kMaxMessages, arr->size())};
  r.messages.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) {
    Message m;
    if (auto f = parse_message((*arr)[i], join("messages", i), m)) return f;
    r.messages.push_back(std::move(m));
  }

  if (auto* s = find(o, "system"); s && !s->is_null()) {
    if (auto f = parse_blocks(*s, "system", r.system)) return f;
    for (std::size_t i = 0; i < r.system.size(); ++i)
      if (r.system[i].type != BlockType::text) return Fail{join(join("system", i), "type"), "Input should be 'text'"};
  }

  return std::nullopt;
}

// The tool's schema is moved out of the body (not copied: Claude Code's schemas are most of its
// request).
std::optional<Fail> parse_tool(json::value& v, const Path& p, Tool& t) {
  auto* to = static_cast<const json::value&>(v).if_object();
  if (!to) return Fail{p, std::string(kNotAnObject)};
  if (auto f = expect_string(*to, "type", p, t.type, false)) return f;
  bool custom = t.type.empty() || t.type == "custom";
  Path at = join(p, custom ? "custom" : t.type);  // Anthropic's union tag: tools.0.custom.name
  if (auto f = expect_string(*to, "name", at, t.name)) return f;
  if (t.name.empty()) return Fail{join(at, "name"), "String should have at least 1 character"};
  if (auto f = expect_string(*to, "description", at, t.description, false)) return f;
  t.defer_loading = find_bool(*to, "defer_loading").value_or(false);
  if (!custom) return std::nullopt;  // server tools and built-in client tools carry their own schema
  auto* schema = find(*to, "input_schema");
  if (!schema) return Fail{join(at, "input_schema"), "Field required"};
  if (!schema->is_object()) return Fail{join(at, "input_schema"), "Input should be a valid dictionary"};
  if (auto* type = schema->get_object().if_contains("type"); type && *type != "object")
    return Fail{join(join(at, "input_schema"), "type"), "Input should be 'object'"};
  t.input_schema = std::make_shared<const json::value>(std::move(v.get_object()["input_schema"]));
  return std::nullopt;
}

std::optional<Fail> parse_tools(json::object& o, MessagesRequest& r) {
  if (auto* tv = o.if_contains("tools"); tv && !tv->is_null()) {
    auto* ta = tv->if_array();
    if (!ta) return Fail{"tools", "Input should be a valid list"};
    for (std::size_t i = 0; i < ta->size(); ++i) {
      Tool t;
      if (auto f = parse_tool((*ta)[i], join("tools", i), t)) return f;
      r.tools.push_back(std::move(t));
    }
  }

  if (auto* tc = find(o, "tool_choice"); tc && !tc->is_null()) {
    auto* tco = tc->if_object();
    if (!tco) return Fail{"tool_choice", std::string(kNotAnObject)};
    ToolChoice choice;
    std::string type;
    static constexpr std::string_view kTags[] = {"auto", "any", "tool", "none"};
    if (auto f = expect_tag(*tco, "tool_choice", kTags, type)) return f;
    choice.type = type == "any"    ? ToolChoiceType::any
                  : type == "none" ? ToolChoiceType::none
                  : type == "tool" ? ToolChoiceType::tool
                                   : ToolChoiceType::auto_;
    if (choice.type == ToolChoiceType::tool)
      if (auto f = expect_string(*tco, "name", "tool_choice.tool", choice.name)) return f;
    if (auto* d = find(*tco, "disable_parallel_tool_use"); d && !d->is_null()) {
      if (!d->is_bool()) return Fail{join(join("tool_choice", type), "disable_parallel_tool_use"), "Input should be a valid boolean"};
      choice.disable_parallel_tool_use = d->get_bool();
    }
    r.tool_choice = choice;
  }

  return std::nullopt;
}

std::optional<Fail> parse_sampling(const json::object& o, MessagesRequest& r) {
  double n = 0;
  for (auto key : {"temperature", "top_p"}) {  // both 0–1 in Anthropic's documentation
    if (auto* v = find(o, key); v && !v->is_null()) {
      if (auto f = expect_number(*v, key, 0.0, 1.0, n)) return f;
      (std::string_view(key) == "temperature" ? r.temperature : r.top_p) = n;
    }
  }
  if (auto* v = find(o, "top_k"); v && !v->is_null()) {
    std::int64_t k = 0;
    if (auto f = expect_int(*v, "top_k", 0, k)) return f;
    r.top_k = k;
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
    if (!th) return Fail{"thinking", std::string(kNotAnObject)};
    std::string type;
    static constexpr std::string_view kTags[] = {"enabled", "disabled", "adaptive", "between_tools"};
    if (auto f = expect_tag(*th, "thinking", kTags, type)) return f;
    if (type == "enabled") {
      r.thinking.type = ThinkingType::enabled;
      auto* budget = find(*th, "budget_tokens");
      if (!budget || budget->is_null()) return Fail{"thinking.enabled.budget_tokens", "Field required"};
      if (auto f = expect_int(*budget, "thinking.enabled.budget_tokens", 1024, r.thinking.budget_tokens)) return f;
    } else if (type == "disabled") {
      r.thinking.type = ThinkingType::disabled;
    } else {
      r.thinking.type = ThinkingType::adaptive;  // adaptive, and between_tools (in the SDK's union, undocumented)
    }
    if (auto d = find_string(*th, "display")) r.thinking.display = std::string(*d);
  }

  return std::nullopt;
}

std::optional<Fail> parse_output(const json::object& o, MessagesRequest& r) {
  if (auto* cm = find(o, "context_management"); cm && !cm->is_null()) {
    if (!cm->is_object()) return Fail{"context_management", std::string(kNotAnObject)};
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
    if (!mo) return Fail{"metadata", std::string(kNotAnObject)};
    if (auto u = find_string(*mo, "user_id")) r.user_id = std::string(*u);
    r.prompt_cache_key = session_id_of(r.user_id);  // Azure's prompt cache hits across a session
  }
  return std::nullopt;
}

std::optional<Fail> parse_body(json::object& o, Endpoint endpoint, MessagesRequest& r) {
  if (auto f = expect_string(o, "model", "", r.model)) return f;
  if (endpoint == Endpoint::messages) {
    auto* mt = find(o, "max_tokens");
    if (!mt || mt->is_null()) return Fail{"max_tokens", "Field required"};
    if (auto f = expect_int(*mt, "max_tokens", 0, r.max_tokens)) return f;  // 0: only warm the prompt cache
  }

  if (auto f = parse_messages(o, r)) return f;
  if (auto f = parse_tools(o, r)) return f;  // moves the tools' schemas out of the body
  for (auto step : {parse_sampling, parse_thinking, parse_output})
    if (auto f = step(o, r)) return f;
  return std::nullopt;
}

// Parses what it owns: parts of `body` are moved into the request.
Result<MessagesRequest> parse_owned(json::value& body, Endpoint endpoint) {
  auto* o = body.if_object();
  if (!o) return Error::invalid(fmt::format("The request body must be a JSON object, not {}", type_name(body)));
  MessagesRequest r;
  if (auto f = parse_body(*o, endpoint, r)) return Error::invalid(f->path + ": " + f->message);
  return r;
}

}  // namespace

Result<MessagesRequest> parse_request(const json::value& body, Endpoint endpoint) {
  json::value mine = body;
  return parse_owned(mine, endpoint);
}

Result<MessagesRequest> parse_request(std::string_view text, Endpoint endpoint) {
  auto parsed = body::parse(text);
  if (parsed.syntax)
    return Error::invalid("The request body is not valid JSON: " + parsed.syntax->what + ": " +
                          body::position(*parsed.syntax));
  if (parsed.bad) return Error::invalid(body::dotted(parsed.bad->path) + ": " + parsed.bad->what);
  return parse_owned(parsed.value, endpoint);
}

std::optional<Error> thinking_budget_error(const MessagesRequest& r) {
  if (r.thinking.type != ThinkingType::enabled || r.thinking.budget_tokens < r.max_tokens) return std::nullopt;
  // With interleaved thinking the budget spans the whole tool loop and may exceed max_tokens.
  for (auto& b : r.betas)
    if (b.starts_with("interleaved-thinking-")) return std::nullopt;
  return Error::invalid(
      "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at "
      "https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size");
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
