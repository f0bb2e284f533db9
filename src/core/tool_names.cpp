#include "core/tool_names.hpp"

#include "core/ids.hpp"

namespace agp::openai {

namespace {
bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
bool all_id_chars(std::string_view s) {
  for (char c : s)
    if (!id_char(c)) return false;
  return true;
}
std::string sanitized(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() >= max) break;
    out.push_back(id_char(c) ? c : '_');
  }
  return out;
}
}  // namespace

bool valid_tool_name(std::string_view name) { return !name.empty() && name.size() <= 64 && all_id_chars(name); }

std::string upstream_tool_name(std::string_view name) {
  if (valid_tool_name(name)) return std::string(name);
  // 55 + '_' + 8 = 64
  return sanitized(name, 55) + "_" + sha256_hex(name).substr(0, 8);
}

std::string ToolNames::to_upstream(std::string_view client_name) {
  auto up = upstream_tool_name(client_name);
  if (up != client_name) back_.emplace(up, std::string(client_name));
  return up;
}

std::string ToolNames::to_client(std::string_view upstream_name) const {
  auto it = back_.find(std::string(upstream_name));
  return it == back_.end() ? std::string(upstream_name) : it->second;
}

std::string upstream_call_id(std::string_view id) {
  std::string up = call_id_from_tool_use_id(id);
  if (!up.empty() && up.size() <= 40 && all_id_chars(up)) return up;
  return "call_" + sha256_hex(id).substr(0, 32);
}

std::string call_id_from_tool_use_id(std::string_view id) {
  // The inverse of client_tool_use_id: Azure's own "call_X" comes back as "call_X", so a
  // replayed reasoning item sits next to the call ids it was produced with.
  if (id.starts_with("toolu_") && id.size() > 6) return "call_" + std::string(id.substr(6));
  return std::string(id);
}

std::string client_tool_use_id(std::string_view upstream_id) {
  std::string_view rest = upstream_id;
  if (rest.starts_with("call_")) rest.remove_prefix(5);
  if (rest.starts_with("toolu_")) return sanitized(rest, 128);
  if (rest.empty()) return random_id("toolu_");
  return "toolu_" + sanitized(rest, 100);
}

std::string responses_call_id(std::string_view id) {
  if (id.empty()) return random_id("call_");
  std::string up = call_id_from_tool_use_id(id);
  if (up.size() <= 64) return up;
  return "call_" + sha256_hex(id).substr(0, 40);
}

}  // namespace agp::openai
