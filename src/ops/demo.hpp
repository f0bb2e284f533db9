// --demo: the bundled mock Azure (build/mock-azure, tools/mock-azure) started on loopback as a
// child process with its demo scenario, so that a newcomer can watch Claude Code run a tool loop
// through the proxy before entering any credentials. The child dies with the proxy.
#pragma once

#include "config/team.hpp"

#include <sys/types.h>

#include <memory>
#include <string>

namespace agp::ops {

class DemoMock {
 public:
  // Starts `binary` (mock-azure) and waits for its "listening on" line; throws std::runtime_error.
  static std::unique_ptr<DemoMock> start(const std::string& binary, const std::string& api_key);
  ~DemoMock();  // stops the child (SIGTERM, then SIGKILL) and reaps it
  DemoMock(const DemoMock&) = delete;
  DemoMock& operator=(const DemoMock&) = delete;
  const std::string& url() const { return url_; }

 private:
  DemoMock(pid_t pid, int out_fd, std::string url) : pid_(pid), out_fd_(out_fd), url_(std::move(url)) {}
  pid_t pid_;
  int out_fd_;  // the child's stdout, kept open so that it never writes into a closed pipe
  std::string url_;
};

// Where the mock is: $AGP_DEMO_MOCK, else mock-azure beside this executable.
std::string demo_mock_path();

// The demo's settings on top of `env`: the mock as the one endpoint, two deployments, a fresh
// client token; the user's Azure settings, config file and outbound proxy are set aside.
config::Env demo_env(config::Env env, const std::string& mock_url, const std::string& azure_key,
                     const std::string& client_token);

// What to tell the newcomer once the proxy listens on `proxy_url`.
std::string demo_banner(const std::string& proxy_url, const std::string& mock_url, const std::string& token);

}  // namespace agp::ops
