// The proxy's logs: one asynchronous logger — a bounded queue drained by one background thread,
// so an I/O thread never waits for a terminal or a pipe; when the queue is full the oldest
// message is dropped (and counted) instead — writing text lines or JSON lines.
#pragma once

#include "ops/request_record.hpp"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace agp::ops {

enum class LogFormat { text, json };

// Replaces the default logger with the asynchronous one (text until set_log_format).
void start_logging(std::size_t queue_messages = 2048);  // ~400 B each, allocated at start
void set_log_format(LogFormat f);
LogFormat log_format();
// Writes what is queued and stops the background thread (at exit).
void stop_logging();
// Messages dropped so far because the queue was full.
std::uint64_t log_messages_dropped();

// A message about one request: "<id> <message>" in text, {"request_id":…,"msg":…} in JSON, so
// every line of a request carries its id.
void log_for_request(spdlog::level::level_enum level, const std::string& id, const std::string& message);
template <class... A>
void request_log(spdlog::level::level_enum level, const std::string& id, fmt::format_string<A...> f, A&&... a) {
  if (spdlog::should_log(level)) log_for_request(level, id, fmt::format(f, std::forward<A>(a)...));
}

// The one line a request ends with (warn for 5xx, else info; debug for quiet routes).
void write_request_line(const RequestRecord& r);

// What the JSON formatter splices in: a payload starting with this byte is JSON object members.
inline constexpr char kJsonMembers = '\x1e';

}  // namespace agp::ops
