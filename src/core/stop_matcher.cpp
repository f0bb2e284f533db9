#include "core/stop_matcher.hpp"

#include <algorithm>

namespace agp {

StopMatcher::StopMatcher(std::vector<std::string> stops) {
  for (auto& s : stops)
    if (!s.empty()) stops_.push_back(std::move(s));
}

StopMatcher::Out StopMatcher::feed(std::string_view delta) {
  Out out;
  if (done_) return out;
  if (stops_.empty()) {
    out.text = std::string(delta);
    return out;
  }
  std::string buf = held_ + std::string(delta);
  held_.clear();
  // The match that completes first wins, as it would while the model generates: with stops
  // "ab" and "abc", "xabc" stops at "ab". Streamed or whole, the answer is the same.
  std::size_t best = std::string::npos, best_end = std::string::npos;
  const std::string* which = nullptr;
  for (auto& s : stops_) {
    auto p = buf.find(s);
    if (p != std::string::npos && (p + s.size() < best_end || (p + s.size() == best_end && p > best))) {
      best = p;
      best_end = p + s.size();
      which = &s;
    }
  }
  if (which) {
    done_ = true;
    out.text = buf.substr(0, best);
    out.matched = *which;
    return out;
  }
  // Hold back the longest suffix that is a proper prefix of some stop sequence. Such a suffix
  // starts where a stop sequence starts, so it never splits a UTF-8 character.
  std::size_t hold = 0;
  for (auto& s : stops_) {
    for (std::size_t k = std::min(s.size() - 1, buf.size()); k > hold; --k) {
      if (std::string_view(buf).substr(buf.size() - k) == std::string_view(s).substr(0, k)) {
        hold = k;
        break;
      }
    }
  }
  out.text = buf.substr(0, buf.size() - hold);
  held_ = buf.substr(buf.size() - hold);
  return out;
}

std::string StopMatcher::flush() {
  std::string out;
  out.swap(held_);
  return done_ ? std::string{} : out;
}

StopMatcher::Out cut_at_stop(std::string_view text, const std::vector<std::string>& stops) {
  StopMatcher m(stops);
  auto out = m.feed(text);
  if (!out.matched) out.text += m.flush();
  return out;
}

}  // namespace agp
