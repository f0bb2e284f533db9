// Recorded exchanges (--record DIR) and their replay. A recording is a folder:
//   meta.json            route, backend, ids and estimates the translation used
//   client_request.json  {"method","target","headers" (secrets redacted),"body"}
//   upstream_request.json {"url","body"} (the api-key is never written)
//   upstream_response    the bytes Azure sent (SSE or JSON)
//   client_response      the bytes the client received
// replay() runs the recorded upstream bytes through today's translators; a user's bug report
// ("here is my recording") becomes a test row in tests/data/recordings/.
#pragma once

#include "core/error.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <optional>
#include <string>

namespace agp::record {

struct Recording {
  boost::json::object meta;
  boost::json::object client_request;
  std::string upstream_response;
  std::string client_response;
};

// Reads a recording folder; an error names the missing or malformed file.
Result<Recording> load(const std::filesystem::path& dir);

// The client bytes today's translators produce from the recorded upstream answer.
Result<std::string> replay(const Recording& r);

// The client stream without `ping` events (they depend on timing, not on content).
std::string without_pings(std::string_view sse);

// Whether two client answers say the same: SSE frame by frame (pings left out, each frame's
// JSON compared as values) or one JSON value — so a hand-written expected answer need not match
// the proxy's key order or whitespace.
bool same_answer(std::string_view a, std::string_view b);

// Header values that must never reach a file.
bool is_secret_header(std::string_view name);

}  // namespace agp::record
