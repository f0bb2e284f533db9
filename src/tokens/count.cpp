#include "tokens/count.hpp"

namespace agp::tokens {

namespace json = boost::json;

namespace {

std::string_view str(const json::value* v) {
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

void comment(std::string& out, std::string_view text) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    out += "// ";
    out += text.substr(0, nl);
    out += '\n';
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

void ts_type(std::string& out, const json::value& schema, int depth);

void ts_object(std::string& out, const json::object& o, int depth) {
  auto* props = o.if_contains("properties");
  if (!props || !props->is_object() || props->get_object().empty()) {
    out += "object";
    return;
  }
  const json::array* required = nullptr;
  if (auto* r = o.if_contains("required"); r && r->is_array()) required = &r->get_array();
  out += "{\n";
  for (auto& [k, v] : props->get_object()) {
    if (v.is_object()) {
      if (auto d = str(v.get_object().if_contains("description")); !d.empty()) comment(out, d);
    }
    out += std::string_view(k);
    bool req = false;
    if (required)
      for (auto& x : *required) req = req || (x.is_string() && x.get_string() == k);
    if (!req) out += '?';
    out += ": ";
    ts_type(out, v, depth + 1);
    out += ",";
    if (v.is_object())
      if (auto* d = v.get_object().if_contains("default")) {
        out += " // default: ";
        out += json::serialize(*d);
      }
    out += '\n';
  }
  out += "}";
}

void ts_type(std::string& out, const json::value& schema, int depth) {
  if (!schema.is_object() || depth > 32) {
    out += "any";
    return;
  }
  auto& o = schema.get_object();
  if (auto* e = o.if_contains("enum"); e && e->is_array() && !e->get_array().empty()) {
    bool first = true;
    for (auto& x : e->get_array()) {
      if (!first) out += " | ";
      first = false;
      out += json::serialize(x);
    }
    return;
  }
  if (auto* c = o.if_contains("const")) {
    out += json::serialize(*c);
    return;
  }
  for (const char* k : {"anyOf", "oneOf"})
    if (auto* u = o.if_contains(k); u && u->is_array()) {
      bool first = true;
      for (auto& x : u->get_array()) {
        if (!first) out += " | ";
        first = false;
        ts_type(out, x, depth + 1);
      }
      return;
    }
  const json::value* t = o.if_contains("type");
  if (t && t->is_array()) {  // ["string", "null"]
    bool first = true;
    for (auto& x : t->get_array()) {
      if (!first) out += " | ";
      first = false;
      json::object one = o;
      one["type"] = x;
      ts_type(out, one, depth + 1);
    }
    return;
  }
  std::string_view type = str(t);
  if (type == "string")
    out += "string";
  else if (type == "number" || type == "integer")
    out += "number";
  else if (type == "boolean")
    out += "boolean";
  else if (type == "null")
    out += "null";
  else if (type == "array") {
    if (auto* items = o.if_contains("items")) {
      ts_type(out, *items, depth + 1);
      out += "[]";
    } else {
      out += "any[]";
    }
  } else if (type == "object" || o.contains("properties"))
    ts_object(out, o, depth);
  else
    out += "any";
}

const Tokenizer& tk(Encoding e) { return Tokenizer::get(e); }

// Content: a string, or an array of parts (text / image_url / file).
void count_content(const json::value& content, Encoding enc, ChatCount& c) {
  if (content.is_string()) {
    c.text += static_cast<std::int64_t>(tk(enc).count(content.get_string()));
    return;
  }
  if (!content.is_array()) return;
  for (auto& part : content.get_array()) {
    if (!part.is_object()) continue;
    auto& p = part.get_object();
    std::string_view type = str(p.if_contains("type"));
    if (type == "text" || type == "input_text" || type == "output_text" || type == "refusal") {
      c.text += static_cast<std::int64_t>(tk(enc).count(str(p.if_contains(type == "refusal" ? "refusal" : "text"))));
    } else if (type == "image_url") {
      auto* iu = p.if_contains("image_url");
      std::string_view url, detail = "auto";
      if (iu && iu->is_object()) {
        url = str(iu->get_object().if_contains("url"));
        if (auto d = str(iu->get_object().if_contains("detail")); !d.empty()) detail = d;
      } else {
        url = str(iu);
      }
      auto size = image_size_from_data_uri(url);
      c.images += size ? image_tokens(size->width, size->height, detail) : image_tokens(1024, 1024, detail);
    } else if (type == "file") {
      auto* f = p.if_contains("file");
      std::string_view data = f && f->is_object() ? str(f->get_object().if_contains("file_data")) : std::string_view();
      if (auto comma = data.find(','); comma != std::string_view::npos) data.remove_prefix(comma + 1);
      std::string bytes = base64_decode(data);
      std::int64_t pages = pdf_page_count(bytes);
      if (pages == 0) pages = std::max<std::int64_t>(1, static_cast<std::int64_t>(bytes.size() / 50000));
      c.files += pages * kPdfTokensPerPage;
    }
  }
}

}  // namespace

std::string render_tools(const json::array& tools) {
  std::string out = "# Tools\n\n## functions\n\nnamespace functions {\n\n";
  for (auto& t : tools) {
    if (!t.is_object()) continue;
    auto* fv = t.get_object().if_contains("function");
    if (!fv || !fv->is_object()) continue;
    auto& f = fv->get_object();
    if (auto d = str(f.if_contains("description")); !d.empty()) comment(out, d);
    out += "type ";
    out += str(f.if_contains("name"));
    out += " = ";
    auto* params = f.if_contains("parameters");
    auto* props = params && params->is_object() ? params->get_object().if_contains("properties") : nullptr;
    if (props && props->is_object() && !props->get_object().empty()) {
      out += "(_: ";
      ts_object(out, params->get_object(), 0);
      out += ") => any;\n\n";
    } else {
      out += "() => any;\n\n";
    }
  }
  out += "} // namespace functions";
  return out;
}

ChatCount count_chat_request_detailed(const json::object& body, Encoding enc) {
  ChatCount c;
  c.framing = kReplyPriming;
  std::int64_t call_framing = 0;
  if (auto* m = body.if_contains("messages"); m && m->is_array()) {
    for (auto& mv : m->get_array()) {
      if (!mv.is_object()) continue;
      auto& msg = mv.get_object();
      c.framing += kPerMessage;
      c.text += static_cast<std::int64_t>(tk(enc).count(str(msg.if_contains("role"))));
      if (auto* n = msg.if_contains("name"); n && n->is_string()) {
        c.text += static_cast<std::int64_t>(tk(enc).count(n->get_string()));
        c.framing += kPerName;
      }
      if (auto* content = msg.if_contains("content")) count_content(*content, enc, c);
      if (auto* calls = msg.if_contains("tool_calls"); calls && calls->is_array()) {
        for (auto& call : calls->get_array()) {
          if (!call.is_object()) continue;
          auto* fn = call.get_object().if_contains("function");
          if (!fn || !fn->is_object()) continue;
          c.text += static_cast<std::int64_t>(tk(enc).count(str(fn->get_object().if_contains("name"))));
          c.text += static_cast<std::int64_t>(tk(enc).count(str(fn->get_object().if_contains("arguments"))));
          call_framing += kToolCallFraming;
        }
      }
    }
  }
  if (auto* t = body.if_contains("tools"); t && t->is_array() && !t->get_array().empty())
    c.tools = static_cast<std::int64_t>(tk(enc).count(render_tools(t->get_array()))) + kToolsFraming;
  c.exact = c.text + c.framing;
  c.estimated = c.tools + c.images + c.files + call_framing;
  return c;
}

std::int64_t count_chat_request(const json::object& body, Encoding enc) {
  return count_chat_request_detailed(body, enc).total();
}

}  // namespace agp::tokens
