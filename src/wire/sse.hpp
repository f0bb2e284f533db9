// Server-Sent Events: an incremental parser (bytes in any split → events) and a formatter.
// Protocol-free: it knows frames, not what is inside them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace agp::wire {

struct SseFrame {
  std::string event;  // "" when the frame had no event: line
  std::string data;   // data: lines joined with '\n'
};

class SseParser {
 public:
  // Appends bytes; returns the frames completed by them.
  std::vector<SseFrame> feed(std::string_view bytes);
  // A frame left without its blank line when the stream ended, if any.
  std::vector<SseFrame> finish();
  // Bytes buffered for a frame not yet complete (bounded by the caller).
  std::size_t pending() const { return line_.size() + current_.data.size(); }

 private:
  void take_line(std::string_view line, std::vector<SseFrame>& out);
  std::string line_;
  SseFrame current_;
  bool has_data_ = false;
  bool last_was_cr_ = false;
};

// "event: NAME\ndata: DATA\n\n" (no event line when name is empty). DATA must hold no newline.
std::string format_sse(std::string_view event, std::string_view data);

}  // namespace agp::wire
