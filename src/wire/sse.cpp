#include "wire/sse.hpp"

namespace agp::wire {

std::vector<SseFrame> SseParser::feed(std::string_view bytes) {
  // Line by line, straight from the bytes: only a line cut by the end of `bytes` is copied
  // (into line_) until its end arrives. Lines end with LF, CR or CRLF (the SSE grammar).
  std::vector<SseFrame> out;
  if (bytes.empty()) return out;  // a CR just before stays pending
  std::size_t i = 0;
  if (last_was_cr_ && bytes.front() == '\n') i = 1;  // CRLF cut between the two
  last_was_cr_ = false;
  while (i < bytes.size()) {
    std::size_t end = i;
    while (end < bytes.size() && bytes[end] != '\n' && bytes[end] != '\r') ++end;
    if (end == bytes.size()) {
      line_.append(bytes.substr(i));
      break;
    }
    if (line_.empty()) {
      take_line(bytes.substr(i, end - i), out);
    } else {
      line_.append(bytes.substr(i, end - i));
      take_line(line_, out);
      line_.clear();
    }
    i = end + 1;
    if (bytes[end] == '\r') {
      if (i == bytes.size())
        last_was_cr_ = true;
      else if (bytes[i] == '\n')
        ++i;
    }
  }
  return out;
}

std::vector<SseFrame> SseParser::finish() {
  std::vector<SseFrame> out;
  if (!line_.empty()) {
    take_line(line_, out);
    line_.clear();
  }
  take_line("", out);
  return out;
}

void SseParser::take_line(std::string_view line, std::vector<SseFrame>& out) {
  if (line.empty()) {  // blank line: dispatch
    if (has_data_ || !current_.event.empty()) out.push_back(std::move(current_));
    current_ = {};
    has_data_ = false;
    return;
  }
  if (line.front() == ':') return;  // comment
  auto colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
  }
  // id / retry are not used by any of the three APIs' clients here.
}

std::string format_sse(std::string_view event, std::string_view data) {
  std::string out;
  out.reserve(event.size() + data.size() + 16);
  if (!event.empty()) {
    out.append("event: ").append(event).push_back('\n');
  }
  out.append("data: ").append(data).append("\n\n");
  return out;
}

}  // namespace agp::wire
