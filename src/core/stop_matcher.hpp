// Stop sequences for APIs without `stop` (Responses): watches streamed text, holds back only
// the tail that could still become a match, and cuts at the first match.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agp {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);

  struct Out {
    std::string text;                    // safe to emit now
    std::optional<std::string> matched;  // set once: the stop sequence that matched
  };
  // Feeds a text delta. After a match, everything further is swallowed.
  Out feed(std::string_view delta);
  // Releases the held-back tail (the text block ended without a match).
  std::string flush();
  bool active() const { return !stops_.empty(); }
  bool matched() const { return done_; }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool done_ = false;
};

// For complete (non-streamed) text: the cut text and the stop that matched, if any.
StopMatcher::Out cut_at_stop(std::string_view text, const std::vector<std::string>& stops);

}  // namespace agp
