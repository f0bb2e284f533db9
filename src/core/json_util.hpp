// Small Boost.JSON helpers used by the translators: typed lookups that never throw.
#pragma once

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace agp {

namespace json = boost::json;

const json::value* find(const json::object& o, std::string_view key);
const json::object* find_object(const json::object& o, std::string_view key);
const json::array* find_array(const json::object& o, std::string_view key);
std::optional<std::string_view> find_string(const json::object& o, std::string_view key);
std::optional<std::int64_t> find_int(const json::object& o, std::string_view key);
std::optional<double> find_number(const json::object& o, std::string_view key);
std::optional<bool> find_bool(const json::object& o, std::string_view key);

// JSON the proxy reads from Azure or from itself (answers, stream events, tool arguments): nested
// up to 1024 levels, above the 256 a client body may have (core/request_body.hpp) plus the few
// levels Azure wraps around what it echoes (tool schemas in response.created). Boost's default is 32.
json::value parse_json(std::string_view text, boost::system::error_code& ec);

// Compact serialization.
std::string dump(const json::value& v);
// Name of the JSON type for error messages ("string", "object", ...).
std::string_view type_name(const json::value& v);

}  // namespace agp
