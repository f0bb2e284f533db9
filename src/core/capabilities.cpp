#include "core/capabilities.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace agp {

namespace {

template <typename T>
bool take(std::optional<T>& to, const std::optional<T>& from) {
  if (!from || to == from) return false;
  to = from;
  return true;
}

void flag(std::string& out, const char* name, const std::optional<bool>& v) {
  if (v) out += std::string(out.empty() ? "" : ",") + name + "=" + (*v ? "true" : "false");
}

}  // namespace

bool Capability::merge(const Capability& o) {
  bool changed = take(reasoning, o.reasoning);
  changed |= take(prompt_cache_key, o.prompt_cache_key);
  changed |= take(chat_tools_with_reasoning, o.chat_tools_with_reasoning);
  changed |= take(encrypted_reasoning, o.encrypted_reasoning);
  changed |= take(sampling, o.sampling);
  if (!o.efforts.empty() && o.efforts != efforts) {
    efforts = o.efforts;
    changed = true;
  }
  if (o.max_output_tokens > 0 && o.max_output_tokens != max_output_tokens) {
    max_output_tokens = o.max_output_tokens;
    changed = true;
  }
  return changed;
}

std::string Capability::describe() const {
  std::string out;
  flag(out, "reasoning", reasoning);
  if (!efforts.empty()) {
    out += std::string(out.empty() ? "" : ",") + "efforts=";
    for (std::size_t i = 0; i < efforts.size(); ++i) out += (i ? "|" : "") + efforts[i];
  }
  flag(out, "prompt_cache_key", prompt_cache_key);
  flag(out, "chat_tools_with_reasoning", chat_tools_with_reasoning);
  flag(out, "encrypted_reasoning", encrypted_reasoning);
  flag(out, "sampling", sampling);
  if (max_output_tokens > 0)
    out += std::string(out.empty() ? "" : ",") + "max_output_tokens=" + std::to_string(max_output_tokens);
  return out;
}

std::string Capability::kind() const {
  if (reasoning) return "reasoning";
  if (!efforts.empty()) return "efforts";
  if (prompt_cache_key) return "prompt_cache_key";
  if (chat_tools_with_reasoning) return "chat_tools_with_reasoning";
  if (encrypted_reasoning) return "encrypted_reasoning";
  if (sampling) return "sampling";
  if (max_output_tokens > 0) return "max_output_tokens";
  return "";
}

std::string nearest_effort(const std::string& wanted, const std::vector<std::string>& allowed) {
  if (allowed.empty() || wanted.empty() || std::find(allowed.begin(), allowed.end(), wanted) != allowed.end())
    return wanted;
  static constexpr std::array<std::string_view, 6> kOrder{"none", "minimal", "low", "medium", "high", "xhigh"};
  auto rank = [](std::string_view e) {
    auto it = std::find(kOrder.begin(), kOrder.end(), e);
    return it == kOrder.end() ? 3 : static_cast<int>(it - kOrder.begin());  // unknown: medium
  };
  int w = rank(wanted);
  std::string best;
  int best_d = 100;
  for (auto& a : allowed) {
    int d = rank(a) - w;
    // Prefer the next higher effort (asking for less than the model does is the rarer harm).
    int cost = d >= 0 ? 2 * d : -2 * d + 1;
    if (cost < best_d) {
      best_d = cost;
      best = a;
    }
  }
  return best;
}

std::string parse_capabilities(const std::string& text, std::map<std::string, Capability>& out) {
  std::string_view rest = text;
  while (!rest.empty()) {
    auto semi = rest.find(';');
    auto item = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    if (item.find_first_not_of(" ") == std::string_view::npos) continue;
    auto colon = item.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return "expected DEPLOYMENT:key=value,… in '" + std::string(item) + "'";
    std::string dep(item.substr(0, colon));
    Capability c;
    std::string_view kvs = item.substr(colon + 1);
    while (!kvs.empty()) {
      auto comma = kvs.find(',');
      auto kv = kvs.substr(0, comma);
      kvs = comma == std::string_view::npos ? std::string_view{} : kvs.substr(comma + 1);
      auto eq = kv.find('=');
      if (eq == std::string_view::npos) return "expected key=value in '" + std::string(kv) + "' for " + dep;
      auto key = kv.substr(0, eq), value = kv.substr(eq + 1);
      auto boolean = [&](std::optional<bool>& to) {
        if (value == "true") to = true;
        else if (value == "false") to = false;
        else return false;
        return true;
      };
      bool ok = true;
      if (key == "reasoning") ok = boolean(c.reasoning);
      else if (key == "prompt_cache_key") ok = boolean(c.prompt_cache_key);
      else if (key == "chat_tools_with_reasoning") ok = boolean(c.chat_tools_with_reasoning);
      else if (key == "encrypted_reasoning") ok = boolean(c.encrypted_reasoning);
      else if (key == "sampling") ok = boolean(c.sampling);
      else if (key == "efforts") {
        std::string_view v = value;
        while (!v.empty()) {
          auto bar = v.find('|');
          c.efforts.emplace_back(v.substr(0, bar));
          v = bar == std::string_view::npos ? std::string_view{} : v.substr(bar + 1);
        }
      } else if (key == "max_output_tokens") {
        auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), c.max_output_tokens);
        ok = ec == std::errc{} && p == value.data() + value.size() && c.max_output_tokens > 0;
      } else {
        return "unknown capability '" + std::string(key) + "' for " + dep;
      }
      if (!ok) return "bad value '" + std::string(value) + "' for " + std::string(key) + " of " + dep;
    }
    out[dep].merge(c);
  }
  return "";
}

Capability Capabilities::get(const std::string& deployment) const {
  std::lock_guard lock(mu_);
  Capability c;
  if (auto it = learned_.find(deployment); it != learned_.end()) c.merge(it->second);
  if (auto it = configured_.find(deployment); it != configured_.end()) c.merge(it->second);
  return c;
}

void Capabilities::configure(const std::string& deployment, const Capability& c) {
  std::lock_guard lock(mu_);
  configured_[deployment].merge(c);
}

bool Capabilities::learn(const std::string& deployment, const Capability& c) {
  std::lock_guard lock(mu_);
  Capability effective;
  if (auto it = learned_.find(deployment); it != learned_.end()) effective.merge(it->second);
  if (auto it = configured_.find(deployment); it != configured_.end()) effective.merge(it->second);
  // What configuration states stays; only the rest is learned.
  Capability news = c;
  if (auto it = configured_.find(deployment); it != configured_.end()) {
    const auto& f = it->second;
    if (f.reasoning) news.reasoning.reset();
    if (f.prompt_cache_key) news.prompt_cache_key.reset();
    if (f.chat_tools_with_reasoning) news.chat_tools_with_reasoning.reset();
    if (f.encrypted_reasoning) news.encrypted_reasoning.reset();
    if (f.sampling) news.sampling.reset();
    if (!f.efforts.empty()) news.efforts.clear();
    if (f.max_output_tokens > 0) news.max_output_tokens = 0;
  }
  if (!effective.merge(news)) return false;
  learned_[deployment].merge(news);
  return true;
}

std::map<std::string, Capability> Capabilities::all() const {
  std::lock_guard lock(mu_);
  auto out = learned_;
  for (auto& [d, c] : configured_) out[d].merge(c);
  return out;
}

}  // namespace agp
