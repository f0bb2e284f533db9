#include "openai/schema.hpp"

#include <string_view>

namespace agp::openai {

namespace json = boost::json;

namespace {

bool supported_format(std::string_view f) {
  for (std::string_view ok : {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"})
    if (f == ok) return true;
  return false;
}

json::value clean(const json::value& v, int depth) {
  if (depth > 64) return json::object{};  // absurdly deep schemas: stop, accept anything
  if (auto* a = v.if_array()) {
    json::array out;
    out.reserve(a->size());
    for (auto& x : *a) out.push_back(clean(x, depth + 1));
    return out;
  }
  auto* o = v.if_object();
  if (!o) return v;
  json::object out;
  for (auto& [k, x] : *o) {
    if (k == "$schema" || k == "$id" || k == "$comment") continue;
    if (k == "format" && x.is_string() && !supported_format(x.get_string())) continue;
    if (k == "pattern" && x.is_string()) {
      std::string_view p = x.get_string();
      if (p.find("\\p{") != std::string_view::npos || p.find("\\P{") != std::string_view::npos) continue;
    }
    // Under "properties" the keys are property names, not keywords: keep them all.
    if (k == "properties" && x.is_object()) {
      json::object props;
      for (auto& [pk, pv] : x.get_object()) props[pk] = clean(pv, depth + 1);
      out[k] = std::move(props);
      continue;
    }
    out[k] = clean(x, depth + 1);
  }
  auto* type = out.if_contains("type");
  if (type && type->is_string() && type->get_string() == "object" && !out.contains("properties"))
    out["properties"] = json::object{};
  return out;
}

}  // namespace

json::value sanitize_schema(const json::value& schema) {
  json::value out = clean(schema, 0);
  if (!out.is_object()) out = json::object{{"type", "object"}, {"properties", json::object{}}};
  auto& o = out.get_object();
  if (!o.contains("type")) o["type"] = "object";
  if (o["type"] == "object" && !o.contains("properties")) o["properties"] = json::object{};
  return out;
}

boost::json::object output_json_schema(const conv::Conversation& c) {
  return {{"name", c.output_name.empty() ? std::string("output") : c.output_name},
          {"schema", c.output_strict ? c.output_schema : sanitize_schema(c.output_schema)},
          {"strict", c.output_strict}};
}

}  // namespace agp::openai
