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
  app.add_option("--api-key", cfg.api_key, "Key expected in the api-key header (with --auth key)");
  app.add_option("--auth", cfg.auth, "What the resource accepts: key and/or entra (comma-separated; default key)")
      ->delimiter(',');
  mock::EntraConfig entra;
  app.add_option("--entra-tenant", entra.tenant, "Token authority: the tenant id it serves");
  app.add_option("--entra-client-id", entra.client_id, "Token authority: the app registration's client id");
  app.add_option("--entra-client-secret", entra.client_secret, "Token authority: the app's client secret");
  app.add_option("--entra-certificate", entra.certificate_file, "Token authority: PEM certificate registered on the app");
  app.add_option("--entra-federated-token-file", entra.federated_token_file,
                 "Token authority: file holding the federated token the workload presents");
  app.add_option("--identity-header", entra.identity_header, "App Service managed identity: IDENTITY_HEADER");
  app.add_option("--managed-identity-client-id", entra.managed_identity_client_id,
                 "Managed identity: client id of the user-assigned identity");
  app.add_option("--token-lifetime", entra.token_lifetime, "Seconds an issued token lives")->check(CLI::Range(1, 86400));
  app.add_option("--audience", entra.audiences, "The token audiences this resource accepts (comma-separated)")
      ->delimiter(',');
  app.add_option("--apim-key", cfg.apim.key, "API Management in front: the subscription key it expects");
  app.add_option("--apim-header", cfg.apim.header, "API Management: the subscription key's header");
  app.add_option("--path-prefix", cfg.apim.path_prefix, "API Management: the API's path prefix, e.g. /team-openai");
  app.add_option("--apim-tokens-per-minute", cfg.apim.tokens_per_minute, "APIM token-limit policy: tokens per minute");
  app.add_option("--apim-token-quota", cfg.apim.token_quota, "APIM token-limit policy: tokens per quota period");
  app.add_option("--apim-quota-period", cfg.apim.quota_period, "APIM token-limit policy: quota period in seconds")
      ->check(CLI::Range(1, 31536000));
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
  cfg.auth = non_empty(cfg.auth);
  for (auto& a : cfg.auth)
    if (a != "key" && a != "entra") {
      std::cerr << "mock-azure: --auth takes key and/or entra, not " << a << "\n";
      return 2;
    }
  if (std::find(cfg.auth.begin(), cfg.auth.end(), "key") != cfg.auth.end() && cfg.api_key.empty() && cfg.apim.key.empty()) {
    std::cerr << "mock-azure: --auth key needs --api-key\n";
    return 2;
  }
  entra.audiences = non_empty(entra.audiences);
  if (entra.audiences.empty()) entra.audiences = {"https://cognitiveservices.azure.com"};
  state.entra = std::make_unique<mock::Entra>(entra);
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
