#include "core/json_util.hpp"

#include <cmath>

namespace agp {

const json::value* find(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it == o.end() ? nullptr : &it->value();
}

const json::object* find_object(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  return v ? v->if_object() : nullptr;
}

const json::array* find_array(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  return v ? v->if_array() : nullptr;
}

std::optional<std::string_view> find_string(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  if (!v || !v->is_string()) return std::nullopt;
  auto& s = v->get_string();
  return std::string_view(s.data(), s.size());
}

std::optional<std::int64_t> find_int(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(v->get_uint64());
  if (v->is_double()) {
    // Range first: casting a double outside int64's range (1e300) is undefined behaviour.
    double d = v->get_double();
    if (d >= -0x1p63 && d < 0x1p63 && d == std::trunc(d)) return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::optional<double> find_number(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  if (!v) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return std::nullopt;
}

std::optional<bool> find_bool(const json::object& o, std::string_view key) {
  auto* v = find(o, key);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

json::value parse_json(std::string_view text, boost::system::error_code& ec) {
  json::parse_options opts;
  opts.max_depth = 1024;
  return json::parse(text, ec, {}, opts);
}

std::string dump(const json::value& v) { return json::serialize(v); }

std::string_view type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "number";
    case json::kind::string:
      return "string";
    case json::kind::array:
      return "array";
    case json::kind::object:
      return "object";
  }
  return "value";
}

}  // namespace agp
