#include "rules.hpp"

#include <boost/json/serialize.hpp>

namespace mock {

namespace json = boost::json;

namespace {

bool get_int(const json::value& v, std::int64_t& out) {
  if (auto p = v.if_int64()) return out = *p, true;
  if (auto p = v.if_uint64()) return out = static_cast<std::int64_t>(*p), true;
  if (auto p = v.if_double()) return out = static_cast<std::int64_t>(*p), true;
  return false;
}

bool opt_string(const json::object& o, std::string_view key, std::optional<std::string>& out, std::string& err) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return true;
  auto s = it->value().if_string();
  if (!s) return err = std::string(key) + " must be a string", false;
  out = std::string(*s);
  return true;
}

bool opt_int(const json::object& o, std::string_view key, std::int64_t& out, std::string& err) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return true;
  if (!get_int(it->value(), out) || out < 0) return err = std::string(key) + " must be a non-negative integer", false;
  return true;
}

bool parse_tool_calls(const json::value& v, std::vector<ToolCallSpec>& out, std::string& err) {
  auto arr = v.if_array();
  if (!arr) return err = "respond.tool_calls must be an array", false;
  for (auto& item : *arr) {
    auto o = item.if_object();
    if (!o) return err = "respond.tool_calls[] must be objects", false;
    ToolCallSpec tc;
    std::optional<std::string> id, name;
    if (!opt_string(*o, "id", id, err) || !opt_string(*o, "name", name, err)) return false;
    if (!name) return err = "respond.tool_calls[].name is required", false;
    tc.id = id.value_or("");
    tc.name = *name;
    auto a = o->find("arguments");
    if (a == o->end() || a->value().is_null())
      tc.arguments = "{}";
    else if (auto s = a->value().if_string())
      tc.arguments = std::string(*s);
    else
      tc.arguments = json::serialize(a->value());
    out.push_back(std::move(tc));
  }
  return true;
}

// raw: a string or an array of strings (the pieces); raw_repeat; content_type; raw_end.
bool parse_raw(const json::object& o, Respond& r, std::string& err) {
  if (auto it = o.find("raw"); it != o.end() && !it->value().is_null()) {
    std::vector<std::string> pieces;
    if (auto s = it->value().if_string()) {
      pieces.emplace_back(*s);
    } else if (auto a = it->value().if_array()) {
      for (auto& p : *a) {
        auto ps = p.if_string();
        if (!ps) return err = "respond.raw[] must be strings", false;
        pieces.emplace_back(*ps);
      }
    } else {
      return err = "respond.raw must be a string or an array of strings", false;
    }
    r.raw = std::move(pieces);
  }
  if (auto it = o.find("raw_repeat"); it != o.end() && !it->value().is_null()) {
    auto rep = it->value().if_object();
    std::int64_t piece = 0, times = 1;
    if (!rep || !opt_int(*rep, "piece", piece, err) || !opt_int(*rep, "times", times, err))
      return err = err.empty() ? "respond.raw_repeat must be {\"piece\": i, \"times\": n}" : err, false;
    if (!r.raw || static_cast<std::size_t>(piece) >= r.raw->size())
      return err = "respond.raw_repeat.piece must index respond.raw", false;
    r.repeat_piece = static_cast<std::size_t>(piece);
    r.repeat_times = static_cast<std::size_t>(std::max<std::int64_t>(times, 1));
  }
  std::optional<std::string> s;
  if (!opt_string(o, "content_type", s, err)) return false;
  r.content_type = s.value_or("");
  s.reset();
  if (!opt_string(o, "raw_end", s, err)) return false;
  r.raw_end = s.value_or("finish");
  if (r.raw_end != "finish" && r.raw_end != "reset" && r.raw_end != "stall")
    return err = "respond.raw_end must be finish, reset or stall", false;
  return true;
}

bool parse_respond(const json::object& o, Respond& r, std::string& err) {
  if (!opt_string(o, "text", r.text, err)) return false;
  std::optional<std::string> s;
  if (!opt_string(o, "reasoning_content", s, err)) return false;
  r.reasoning_content = s.value_or("");
  s.reset();
  if (!opt_string(o, "finish_reason", s, err)) return false;
  r.finish_reason = s.value_or("");
  s.reset();
  if (!opt_string(o, "fault", s, err)) return false;
  r.fault = s.value_or("");
  if (!r.fault.empty() && r.fault != "reset_before_headers" && r.fault != "reset_mid_stream" && r.fault != "hang" &&
      r.fault != "stall_mid_stream")
    return err = "respond.fault must be reset_before_headers, reset_mid_stream, stall_mid_stream or hang", false;
  if (auto it = o.find("tool_calls"); it != o.end() && !it->value().is_null())
    if (!parse_tool_calls(it->value(), r.tool_calls, err)) return false;
  if (auto it = o.find("usage"); it != o.end() && !it->value().is_null()) {
    auto u = it->value().if_object();
    if (!u) return err = "respond.usage must be an object", false;
    std::int64_t n = -1;
    for (const char* k : {"prompt_tokens", "input_tokens"}) {
      n = -1;
      if (!opt_int(*u, k, n, err)) return false;
      if (n >= 0) r.prompt_tokens = n;
    }
    for (const char* k : {"completion_tokens", "output_tokens"}) {
      n = -1;
      if (!opt_int(*u, k, n, err)) return false;
      if (n >= 0) r.completion_tokens = n;
    }
    n = -1;
    if (!opt_int(*u, "reasoning_tokens", n, err)) return false;
    if (n >= 0) r.reasoning_tokens = n;
    if (!opt_int(*u, "cached_tokens", r.cached_tokens, err)) return false;
  }
  std::int64_t status = 0;
  if (!opt_int(o, "status", status, err)) return false;
  if (status != 0 && (status < 100 || status > 599)) return err = "respond.status must be 100..599", false;
  r.status = static_cast<unsigned>(status);
  if (auto it = o.find("error"); it != o.end() && !it->value().is_null()) r.error = it->value();
  if (auto it = o.find("headers"); it != o.end() && !it->value().is_null()) {
    auto h = it->value().if_object();
    if (!h) return err = "respond.headers must be an object", false;
    for (auto& kv : *h) {
      auto hs = kv.value().if_string();
      r.headers.emplace_back(std::string(kv.key()), hs ? std::string(*hs) : json::serialize(kv.value()));
    }
  }
  if (!opt_int(o, "delay_ms", r.delay_ms, err) || !opt_int(o, "chunk_delay_ms", r.chunk_delay_ms, err)) return false;
  std::int64_t cs = 8;
  if (!opt_int(o, "chunk_size", cs, err)) return false;
  r.chunk_size = cs < 1 ? 1 : static_cast<std::size_t>(cs);
  if (!opt_string(o, "reasoning_summary", r.reasoning_summary, err) ||
      !opt_string(o, "encrypted_content", r.encrypted_content, err) || !opt_string(o, "failed", r.failed, err) ||
      !opt_string(o, "error_event", r.error_event, err))
    return false;
  if (auto it = o.find("incomplete"); it != o.end() && !it->value().is_null()) {
    auto b = it->value().if_bool();
    if (!b) return err = "respond.incomplete must be a boolean", false;
    r.incomplete = *b;
  }
  if (!parse_raw(o, r, err)) return false;
  if (auto it = o.find("async_filter"); it != o.end() && !it->value().is_null()) {
    auto b = it->value().if_bool();
    if (!b) return err = "respond.async_filter must be a boolean", false;
    r.async_filter = *b;
  }
  if (auto it = o.find("filter_categories"); it != o.end() && !it->value().is_null()) {
    auto a = it->value().if_array();
    if (!a) return err = "respond.filter_categories must be an array", false;
    for (auto& c : *a)
      if (auto cs2 = c.if_string())
        r.filter_categories.emplace_back(*cs2);
      else
        return err = "respond.filter_categories[] must be strings", false;
  }
  return true;
}

}  // namespace

bool parse_rule(const json::value& v, Rule& out, std::string& err) {
  auto o = v.if_object();
  if (!o) return err = "a rule must be an object", false;
  if (auto it = o->find("match"); it != o->end() && !it->value().is_null()) {
    auto m = it->value().if_object();
    if (!m) return err = "match must be an object", false;
    if (!opt_string(*m, "deployment", out.match.deployment, err) ||
        !opt_string(*m, "last_role", out.match.last_role, err) ||
        !opt_string(*m, "contains", out.match.contains, err) ||
        !opt_string(*m, "not_contains", out.match.not_contains, err))
      return false;
  }
  std::int64_t times = -1;
  if (auto it = o->find("times"); it != o->end() && !it->value().is_null()) {
    if (!get_int(it->value(), times) || times < 1) return err = "times must be a positive integer", false;
  }
  out.times = static_cast<long>(times);
  if (auto it = o->find("respond"); it != o->end() && !it->value().is_null()) {
    auto r = it->value().if_object();
    if (!r) return err = "respond must be an object", false;
    if (!parse_respond(*r, out.respond, err)) return false;
  }
  return true;
}

void RuleStore::add(std::vector<Rule> rules) {
  std::lock_guard lock(mu_);
  for (auto& r : rules) rules_.push_back(std::move(r));
}

void RuleStore::clear() {
  std::lock_guard lock(mu_);
  rules_.clear();
}

std::optional<Respond> RuleStore::take(const MatchInput& in) {
  std::lock_guard lock(mu_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    const Match& m = it->match;
    if (m.deployment && *m.deployment != in.deployment) continue;
    if (m.last_role && *m.last_role != in.last_role) continue;
    if (m.contains && in.body.find(*m.contains) == std::string_view::npos) continue;
    if (m.not_contains && in.body.find(*m.not_contains) != std::string_view::npos) continue;
    Respond r = it->respond;
    if (it->times > 0 && --it->times == 0) rules_.erase(it);
    return r;
  }
  return std::nullopt;
}

}  // namespace mock
