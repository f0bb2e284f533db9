#include "ops/demo.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace agp::ops {

namespace {

constexpr const char* kDeployments = "demo-big,demo-small";

// In the child, before exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const std::string& binary, std::vector<std::string> args, int out_fd, pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGTERM);  // the mock goes when the proxy goes, however it goes
  if (getppid() != parent) _exit(1);
  dup2(out_fd, STDOUT_FILENO);
  int null = open("/dev/null", O_WRONLY);
  if (null >= 0) dup2(null, STDERR_FILENO);  // the mock's request log is not the newcomer's business
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(binary.c_str()));
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(binary.c_str(), argv.data());
  _exit(127);
}

// Reads the child's stdout until its "listening on http://…" line, for at most 10 s.
std::string wait_for_url(int fd, pid_t pid) {
  static const std::regex kListening(R"(listening on (http://127\.0\.0\.1:\d+))");
  std::string seen;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      char buf[256];
      auto n = read(fd, buf, sizeof buf);
      if (n <= 0) break;  // the child closed its stdout: it exited
      seen.append(buf, static_cast<std::size_t>(n));
      std::smatch m;
      if (std::regex_search(seen, m, kListening)) return m[1];
    }
    if (waitpid(pid, nullptr, WNOHANG) == pid) break;
  }
  return {};
}

}  // namespace

std::unique_ptr<DemoMock> DemoMock::start(const std::string& binary, const std::string& api_key) {
  if (access(binary.c_str(), X_OK) != 0)
    throw std::runtime_error("--demo needs the bundled mock Azure at " + binary +
                             " (build it: cmake --build build --target mock-azure, or set AGP_DEMO_MOCK)");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("--demo: pipe failed");
  std::vector<std::string> args{"--listen",      "127.0.0.1:0", "--api-key", api_key, "--deployments",
                                kDeployments,    "--scenario",  "demo"};
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("--demo: fork failed");
  if (pid == 0) exec_child(binary, std::move(args), fds[1], parent);
  close(fds[1]);
  std::string url = wait_for_url(fds[0], pid);
  auto mock = std::unique_ptr<DemoMock>(new DemoMock(pid, fds[0], url));
  if (url.empty()) throw std::runtime_error("--demo: the mock Azure (" + binary + ") did not start");
  return mock;
}

DemoMock::~DemoMock() {
  kill(pid_, SIGTERM);
  for (int i = 0; i < 30; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) != 0) {
      close(out_fd_);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  close(out_fd_);
}

std::string demo_mock_path() {
  if (const char* p = std::getenv("AGP_DEMO_MOCK"); p && *p) return p;
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("mock-azure") : (self.parent_path() / "mock-azure").string();
}

config::Env demo_env(config::Env env, const std::string& mock_url, const std::string& azure_key,
                     const std::string& client_token) {
  for (auto it = env.begin(); it != env.end();) {
    const auto& k = it->first;
    bool aside = k.starts_with("AZURE_") || k == "CONFIG_FILE" || k == "BIG_MODEL" || k == "SMALL_MODEL" ||
                 k == "CURSOR_AZURE_DEPLOYMENT" || k == "REASONING_DEPLOYMENTS" || k == "HTTPS_PROXY" ||
                 k == "https_proxy" || k == "HTTP_PROXY" || k == "http_proxy";
    it = aside ? env.erase(it) : std::next(it);
  }
  env["AZURE_OPENAI_ENDPOINT"] = mock_url;
  env["AZURE_OPENAI_API_KEY"] = azure_key;
  env["AZURE_API_VERSION"] = "2024-10-21";
  env["AZURE_RESPONSES_API_VERSION"] = "v1";  // Cursor's routes take the Responses API
  env["BIG_MODEL"] = "demo-big";
  env["SMALL_MODEL"] = "demo-small";
  env["ANTHROPIC_AUTH_TOKEN"] = client_token;
  return env;
}

std::string demo_banner(const std::string& proxy_url, const std::string& mock_url, const std::string& token) {
  std::string b = "\n=== azure-gpt-proxy demo ===\n";
  b += "Azure is played by the bundled mock (" + mock_url + "): no credentials, nothing leaves this machine.\n";
  b += "In another shell, in a folder with a few files:\n\n";
  b += "  export ANTHROPIC_BASE_URL=" + proxy_url + "\n";
  b += "  export ANTHROPIC_AUTH_TOKEN=" + token + "\n";
  b += "  claude \"What files are in this folder?\"\n\n";
  b += "The mock answers with a Bash `ls` tool call; Claude Code runs it and the mock sums up what it saw.\n";
  b += "Status page: " + proxy_url + "/   metrics: " + proxy_url + "/metrics\n";
  b += "For real use, put your Azure endpoint and key in .env and run without --demo.\n\n";
  return b;
}

}  // namespace agp::ops
