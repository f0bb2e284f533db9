// What one deployment accepts, as far as the proxy knows: defaults say "everything the request
// asks for", configuration states some, and Azure's own 400s teach the rest (learned once per
// deployment, then every request is sent within it). Thread-safe; no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace agp {

struct Capability {
  std::optional<bool> reasoning;          // reasoning_effort / reasoning accepted (false: a chat model)
  std::vector<std::string> efforts;       // the effort values it takes; empty = any
  std::optional<bool> prompt_cache_key;   // false on some AI Foundry models
  std::optional<bool> chat_tools_with_reasoning;  // false: tools + reasoning only on the Responses API
  std::optional<bool> encrypted_reasoning;        // false: no include/replay of encrypted reasoning
  std::optional<bool> sampling;                   // temperature / top_p accepted
  std::int64_t max_output_tokens = 0;             // 0 = unknown

  // Fields of `other` that are set override this; true when anything changed.
  bool merge(const Capability& other);
  std::string describe() const;  // "reasoning=false,efforts=low|medium|high" ("" when nothing is known)
  // The first thing it states, by field name ("reasoning", "efforts", …, "max_output_tokens";
  // "" when nothing): a learned lesson's name in metrics.
  std::string kind() const;
};

// The nearest effort the deployment takes ("minimal" → "low", "xhigh" → "high"); `wanted` when allowed.
std::string nearest_effort(const std::string& wanted, const std::vector<std::string>& allowed);

// Parses "DEPLOYMENT:key=value,key=value;DEPLOYMENT:…" (AZURE_DEPLOYMENT_CAPABILITIES). Keys:
// reasoning, prompt_cache_key, chat_tools_with_reasoning, encrypted_reasoning, sampling (true|false),
// efforts (values separated by |), max_output_tokens. Returns an error sentence, or "".
std::string parse_capabilities(const std::string& text, std::map<std::string, Capability>& out);

class Capabilities {
 public:
  Capability get(const std::string& deployment) const;
  // Configured values: never changed by what is learned.
  void configure(const std::string& deployment, const Capability& c);
  // Returns true when this taught something new (the request is worth resending).
  bool learn(const std::string& deployment, const Capability& c);
  std::map<std::string, Capability> all() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Capability> learned_, configured_;
};

}  // namespace agp
