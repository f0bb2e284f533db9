// mock-azure: a strict stand-in for Azure OpenAI Chat Completions and Responses, scripted by tests over /_mock/*.
#include "config/listen_address.hpp"
#include "handler.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>

namespace {

std::vector<std::string> non_empty(std::vector<std::string> v) {
  v.erase(std::remove(v.begin(), v.end(), std::string()), v.end());
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  mock::MockState state;
  auto& cfg = state.config;
  std::string listen = "127.0.0.1:0";
  unsigned threads = 2;
  cfg.api_versions = {"2024-02-01",         "2024-06-01",         "2024-10-21",         "2024-08-01-preview",
                      "2024-09-01-preview", "2024-10-01-preview", "2024-12-01-preview", "2025-01-01-preview",
                      "2025-02-01-preview", "2025-03-01-preview", "2025-04-01-preview"};

  CLI::App app{"Strict mock of the Azure OpenAI Chat Completions and Responses APIs"};
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0 = any free port)");
  app.add_option("--api-key", cfg.api_key, "Key expected in the api-key header")->required();
  app.add_option("--deployments", cfg.deployments, "Known deployments (comma-separated; empty = any)")->delimiter(',');
  app.add_option("--reasoning-deployments", cfg.reasoning_deployments,
                 "Reasoning-model deployments (default: names matching ^(o[0-9]|gpt-5))")
      ->delimiter(',');
  app.add_option("--api-versions", cfg.api_versions, "Accepted api-version values (comma-separated)")->delimiter(',');
  app.add_option("--threads", threads, "Worker threads")->check(CLI::Range(1u, 256u));
  std::string limits;
  app.add_option("--model-limits", limits,
                 "What each deployment's model refuses: dep=no_reasoning+no_minimal+no_cache_key+"
                 "tools_reasoning_responses_only+no_encrypted,dep2=…");
  app.add_option("--scenario", cfg.scenario,
                 "demo: without a matching rule, call Bash `ls` when offered, then sum up its output")
      ->check(CLI::IsMember({"", "demo"}));
  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_color_mt("mock-azure"));  // stdout carries only the listen line
  cfg.deployments = non_empty(cfg.deployments);
  cfg.reasoning_deployments = non_empty(cfg.reasoning_deployments);
  cfg.api_versions = non_empty(cfg.api_versions);
  if (std::string err; !limits.empty() && !mock::parse_model_limits(limits, cfg.model_limits, err)) {
    std::cerr << "mock-azure: --model-limits: " << err << "\n";
    return 2;
  }

  std::string host;
  std::uint16_t port = 0;
  if (!agp::config::parse_listen_address(listen, host, port)) {
    std::cerr << "invalid --listen address: " << listen << "\n";
    return 2;
  }

  boost::asio::io_context ioc;
  agp::http::Server server(
      ioc, {boost::asio::ip::make_address(host), port},
      [&state](agp::http::Request& req, agp::http::ResponseWriter& w) { return mock::handle(state, req, w); });
  try {
    server.start();
  } catch (const std::exception& e) {
    std::cerr << "cannot listen on " << listen << ": " << e.what() << "\n";
    return 1;
  }
  auto ep = server.local_endpoint();
  std::string shown = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  std::printf("listening on http://%s:%u\n", shown.c_str(), static_cast<unsigned>(ep.port()));
  std::fflush(stdout);

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    state.stopping = true;
    server.stop();
    ioc.stop();
  });

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  spdlog::shutdown();
  return 0;
}
