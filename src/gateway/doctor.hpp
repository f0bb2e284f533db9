// `azure-gpt-proxy doctor`: checks every endpoint and deployment of the configuration with one
// tiny real request each, and says in plain words how to fix what fails.
#pragma once

#include "config/config.hpp"
#include "upstream/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace agp::gateway {

struct Check {
  enum class Verdict { ok, warn, fail } verdict = Verdict::ok;
  std::string subject;  // "endpoint main", "deployment gpt5"
  std::string what;     // "resolves", "answers (chat completions)"
  std::string detail;   // what was seen
  std::string fix;      // for warn/fail: what to do, in plain words
};

// Runs the checks in order: per endpoint its address, connection and TLS, and auth; per
// deployment one tiny request on the backend it serves, and the Responses API Cursor needs.
boost::asio::awaitable<std::vector<Check>> run_doctor(upstream::Client& client, const config::Config& cfg);

// The table; returns the number of failed checks.
int print_checks(std::ostream& out, const std::vector<Check>& checks, bool color);

// The whole command: its own io_context, the checks, the table; the exit code (0 = all good).
int doctor_main(const config::Config& cfg, std::ostream& out);

}  // namespace agp::gateway
