#include "core/context_edits.hpp"

#include "core/json_util.hpp"

#include <algorithm>
#include <set>

namespace agp::conv {

namespace json = boost::json;

namespace {

std::int64_t bytes_of(const Block& b) {
  std::int64_t n = static_cast<std::int64_t>(b.text.size() + b.signature.size() + b.data.size() + b.source.data.size());
  if (b.type == BlockType::tool_use) n += static_cast<std::int64_t>(json::serialize(b.input).size());
  for (auto& c : b.content) n += bytes_of(c);
  return n;
}

std::int64_t tokens_of(const Block& b) { return (bytes_of(b) + 3) / 4; }

std::int64_t estimate(const Conversation& c) {
  std::int64_t n = 0;
  for (auto& b : c.system) n += tokens_of(b);
  for (auto& m : c.messages)
    for (auto& b : m.content) n += tokens_of(b);
  return n;
}

std::int64_t int_field(const json::object& o, std::string_view key, std::int64_t fallback) {
  if (auto* v = find_object(o, key))
    if (auto n = find_int(*v, "value")) return *n;
  return fallback;
}

json::object clear_thinking(const json::object& edit, Conversation& c) {
  json::object applied{{"type", "clear_thinking_20251015"}, {"cleared_thinking_turns", 0}, {"cleared_input_tokens", 0}};
  if (auto* keep = find(edit, "keep"); keep && keep->is_string() && keep->get_string() == "all") return applied;
  std::int64_t keep_turns = int_field(edit, "keep", 1);
  std::int64_t seen = 0, turns = 0, tokens = 0;
  for (auto it = c.messages.rbegin(); it != c.messages.rend(); ++it) {
    if (it->role != Role::assistant) continue;
    bool has = std::any_of(it->content.begin(), it->content.end(), [](const Block& b) {
      return b.type == BlockType::thinking || b.type == BlockType::redacted_thinking;
    });
    if (!has || ++seen <= keep_turns) continue;
    for (auto& b : it->content)
      if (b.type == BlockType::thinking || b.type == BlockType::redacted_thinking) tokens += tokens_of(b);
    std::erase_if(it->content,
                  [](const Block& b) { return b.type == BlockType::thinking || b.type == BlockType::redacted_thinking; });
    ++turns;
  }
  applied["cleared_thinking_turns"] = turns;
  applied["cleared_input_tokens"] = tokens;
  return applied;
}

bool named_in(const json::value* v, const std::string& name) {
  if (!v) return false;
  if (v->is_bool()) return v->get_bool();
  if (auto* a = v->if_array())
    return std::any_of(a->begin(), a->end(), [&](const json::value& x) { return x.is_string() && x.get_string() == name; });
  return false;
}

json::object clear_tool_uses(const json::object& edit, Conversation& c) {
  json::object applied{{"type", "clear_tool_uses_20250919"}, {"cleared_tool_uses", 0}, {"cleared_input_tokens", 0}};
  // Every tool use, oldest first, with its result (if any).
  struct Use {
    Block* call;
    Block* result;
  };
  std::vector<Use> uses;
  for (auto& m : c.messages)
    for (auto& b : m.content)
      if (b.type == BlockType::tool_use) uses.push_back({&b, nullptr});
  for (auto& m : c.messages)
    for (auto& b : m.content)
      if (b.type == BlockType::tool_result)
        for (auto& u : uses)
          if (u.call->id == b.tool_use_id) u.result = &b;
  // Trigger: the prompt's size, or its number of tool uses.
  std::int64_t trigger = 100000;
  std::string trigger_type = "input_tokens";
  if (auto* t = find_object(edit, "trigger")) {
    trigger_type = std::string(find_string(*t, "type").value_or("input_tokens"));
    trigger = find_int(*t, "value").value_or(trigger);
  }
  std::int64_t size = trigger_type == "tool_uses" ? static_cast<std::int64_t>(uses.size()) : estimate(c);
  if (size <= trigger) return applied;
  std::int64_t keep = int_field(edit, "keep", 3);
  std::int64_t at_least = int_field(edit, "clear_at_least", 0);
  std::set<std::string> excluded;
  if (auto* ex = find_array(edit, "exclude_tools"))
    for (auto& v : *ex)
      if (v.is_string()) excluded.emplace(v.get_string());
  const json::value* inputs = find(edit, "clear_tool_inputs");
  std::vector<Use*> chosen;
  std::int64_t tokens = 0;
  std::size_t eligible = uses.size() > static_cast<std::size_t>(std::max<std::int64_t>(keep, 0))
                             ? uses.size() - static_cast<std::size_t>(keep)
                             : 0;
  for (std::size_t i = 0; i < eligible; ++i) {
    auto& u = uses[i];
    if (excluded.contains(u.call->name) || !u.result) continue;
    chosen.push_back(&u);
    tokens += tokens_of(*u.result);
    if (named_in(inputs, u.call->name)) tokens += tokens_of(*u.call);
  }
  // Not worth breaking the prompt cache for less than clear_at_least.
  if (chosen.empty() || tokens < at_least) return applied;
  for (auto* u : chosen) {
    Block placeholder;
    placeholder.text = std::string(kClearedToolResult);
    u->result->content = {placeholder};
    if (named_in(inputs, u->call->name)) u->call->input = json::object{};
  }
  applied["cleared_tool_uses"] = static_cast<std::int64_t>(chosen.size());
  applied["cleared_input_tokens"] = tokens;
  return applied;
}

}  // namespace

json::array apply_context_edits(Conversation& c) {
  json::array applied;
  auto* cm = c.context_management.if_object();
  auto* edits = cm ? find_array(*cm, "edits") : nullptr;
  if (!edits) return applied;
  for (auto& e : *edits) {
    auto* o = e.if_object();
    if (!o) continue;
    auto type = find_string(*o, "type").value_or("");
    json::object done;
    if (type == "clear_thinking_20251015")
      done = clear_thinking(*o, c);
    else if (type == "clear_tool_uses_20250919")
      done = clear_tool_uses(*o, c);
    // Reported only where something was cleared, as Anthropic's applied_edits lists what applied.
    for (auto key : {"cleared_thinking_turns", "cleared_tool_uses"})
      if (auto n = find_int(done, key); n && *n > 0) applied.push_back(std::move(done));
    // Unknown edit types are left out quietly: a newer beta the proxy does not know yet.
  }
  return applied;
}

}  // namespace agp::conv
