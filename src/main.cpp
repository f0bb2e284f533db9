// azure-gpt-proxy: flags, configuration, start-up report, serve until a signal.
#include "config/config.hpp"
#include "config/routing.hpp"
#include "core/ids.hpp"
#include "gateway/app.hpp"
#include "http/server.hpp"
#include "ops/demo.hpp"
#include "ops/logging.hpp"
#include "record/recording.hpp"
#include "upstream/client.hpp"

#include <fmt/ranges.h>
#include "tokens/tokenizer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>
#include <thread>

namespace asio = boost::asio;
using namespace agp;

namespace {
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  for (char c : text) {
    if (c == '\n') {
      out.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  if (!line.empty()) out.push_back(line);
  return out;
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"azure-gpt-proxy: Claude Code and Cursor on your Azure OpenAI deployments"};
  std::string listen, env_file, record_dir, log_level, log_format, replay_dir;
  int threads = -1;
  bool validate_stream = false, version = false, log_bodies = false, demo = false;
  cli.add_option("--listen", listen,
                 "HOST:PORT to listen on (env LISTEN_ADDR, or ASPNETCORE_URLS; default 127.0.0.1:8082)");
  cli.add_option("--env-file", env_file, "dotenv file read after the environment (default: .env if present)");
  cli.add_option("--threads", threads, "worker threads (env THREADS; default: number of cores)")
      ->check(CLI::Range(1, 256));
  cli.add_option("--log-level", log_level, "trace|debug|info|warn|error (env LOG_LEVEL; default info)");
  cli.add_option("--log-format", log_format, "text|json: one text line or one JSON object a line (env LOG_FORMAT)");
  cli.add_flag("--log-bodies", log_bodies,
               "log request and answer bodies (prompts!), keys redacted (env LOG_BODIES; default off)");
  cli.add_flag("--demo", demo,
               "start against the bundled mock Azure on loopback, with a printed token: try Claude Code with no "
               "credentials");
  cli.add_option("--record", record_dir,
                 "write every /v1/messages exchange to DIR, secrets redacted, for replay (env RECORD_DIR)");
  cli.add_flag("--validate-stream", validate_stream,
               "check every Anthropic stream sent against the SSE grammar and log violations");
  cli.add_flag("--version", version, "print the version and exit");
  std::string config_file;
  bool check_config = false;
  cli.add_option("--config", config_file,
                 "the team's YAML file: endpoints, deployments, routes (env CONFIG_FILE); without it the "
                 "AZURE_OPENAI_* / BIG_MODEL / SMALL_MODEL variables describe one endpoint");
  cli.add_flag("--check-config", check_config, "print the resolved routing table and exit (1 on a configuration error)");
  cli.add_option("--replay", replay_dir,
                 "replay a recording folder through today's translators, compare with what the client got, and exit");
  CLI11_PARSE(cli, argc, argv);
  if (version) {
    std::cout << "azure-gpt-proxy " AGP_VERSION "\n";
    return 0;
  }

  if (!replay_dir.empty()) {
    auto rec = record::load(replay_dir);
    if (!rec) {
      std::cerr << "replay: " << rec.error().message << "\n";
      return 2;
    }
    auto out = record::replay(*rec);
    if (!out) {
      std::cerr << "replay: " << out.error().message << "\n";
      return 2;
    }
    if (record::same_answer(*out, rec->client_response)) {
      std::cout << "replay: identical (" << rec->client_response.size() << " bytes)\n";
      return 0;
    }
    std::cout << "replay: DIFFERENT\n--- recorded\n" << rec->client_response << "\n--- replayed\n" << *out << "\n";
    return 1;
  }

  ops::start_logging();
  struct LoggingStop {
    ~LoggingStop() { ops::stop_logging(); }
  } logging_stop;

  config::Config cfg;
  std::unique_ptr<ops::DemoMock> demo_mock;  // --demo: stopped at exit, after the server
  std::string demo_token;
  try {
    auto file_env = config::read_env_file(env_file.empty() ? ".env" : env_file, !env_file.empty());
    auto env = config::merge(config::process_env(), file_env);
    if (!listen.empty()) env["LISTEN_ADDR"] = listen;
    if (!log_level.empty()) env["LOG_LEVEL"] = log_level;
    if (!log_format.empty()) env["LOG_FORMAT"] = log_format;
    if (log_bodies) env["LOG_BODIES"] = "true";
    if (threads > 0) env["THREADS"] = std::to_string(threads);
    if (validate_stream) env["VALIDATE_STREAM"] = "true";
    if (!record_dir.empty()) env["RECORD_DIR"] = record_dir;
    if (!config_file.empty()) env["CONFIG_FILE"] = config_file;
    // --demo: the mock is the one endpoint; the user's Azure settings and config file wait.
    if (demo && !check_config) {
      std::string azure_key = random_id("demo-azure-", 16);
      demo_token = random_id("demo-", 20);
      demo_mock = ops::DemoMock::start(ops::demo_mock_path(), azure_key);
      env = ops::demo_env(std::move(env), demo_mock->url(), azure_key, demo_token);
    }
    cfg = config::load(env);
  } catch (const config::ConfigError& e) {
    std::cerr << "azure-gpt-proxy: " << e.what() << "\n";
    return check_config ? 1 : 2;
  } catch (const std::runtime_error& e) {  // --demo could not start its mock
    std::cerr << "azure-gpt-proxy: " << e.what() << "\n";
    return 2;
  }
  if (demo_mock && !cfg.listen_is_loopback()) {
    std::cerr << "azure-gpt-proxy: --demo listens on loopback only (not " << cfg.listen_host << ")\n";
    return 2;
  }
  if (check_config) {
    std::cout << config::describe_team(*cfg.team);
    return 0;
  }
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  ops::set_log_format(cfg.log_format == "json" ? ops::LogFormat::json : ops::LogFormat::text);
  try {
    tokens::verify_vocabularies();  // a broken vocabulary stops start-up, not the first count
  } catch (const std::exception& e) {
    std::cerr << "azure-gpt-proxy: " << e.what() << "\n";
    return 2;
  }

  int n_threads = cfg.threads > 0 ? cfg.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  asio::io_context ioc(n_threads);
  // Shared with the handler: a coroutine still suspended when the io_context stops is destroyed
  // by ~io_context, after everything declared below it, and must find the App alive.
  auto app = std::make_shared<gateway::App>(cfg);
  http::Server server(ioc, {asio::ip::make_address(cfg.listen_host), cfg.listen_port},
                      [app](http::Request& req, http::ResponseWriter& res) { return app->handle(req, res); });
  // The server's own counts for /metrics and /status.json (open connections: when it reports them).
  app->set_server_counts([&server] {
    return gateway::App::ServerCounts{static_cast<std::int64_t>(server.in_flight()), -1};
  });
  try {
    server.start();
  } catch (const std::system_error& e) {
    std::cerr << "azure-gpt-proxy: cannot listen on " << cfg.listen_host << ":" << cfg.listen_port << ": " << e.what()
              << "\n";
    return 2;
  }
  auto ep = server.local_endpoint();
  std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  spdlog::info("azure-gpt-proxy {} listening on http://{}:{} ({} threads)", AGP_VERSION, host, ep.port(), n_threads);
  if (demo_mock) {
    std::cout << ops::demo_banner("http://" + host + ":" + std::to_string(ep.port()), demo_mock->url(), demo_token)
              << std::flush;
  }
  if (!cfg.metrics_token.empty())
    spdlog::info("/metrics and /status.json need Authorization: Bearer <METRICS_TOKEN>");
  else if (!cfg.listen_is_loopback())
    spdlog::info("/metrics and /status.json are open (METRICS_TOKEN unset); they hold no secrets or prompts");
  if (cfg.log_bodies) spdlog::warn("--log-bodies: request and answer bodies (prompts included) go to the log");
  if (cfg.team->from_file) {
    for (auto& line : split_lines(config::describe_team(*cfg.team))) spdlog::info("{}", line);
  } else {
    spdlog::info("azure endpoint {}: chat completions api-version {}, responses api-version {}; /v1/messages backend: {}",
                 cfg.azure_endpoint, cfg.azure_api_version, cfg.responses_api_version(), cfg.backend);
    spdlog::info("models: *haiku* -> {}{}; *sonnet*/*opus* -> {}{}; azure/<name> -> <name>", cfg.small_model,
                 config::is_reasoning_deployment(cfg.small_model, cfg) ? " (reasoning)" : "", cfg.big_model,
                 config::is_reasoning_deployment(cfg.big_model, cfg) ? " (reasoning)" : "");
  }
  for (auto& e : cfg.team->endpoints)
    if (!e.responses_api_available())
      spdlog::warn("endpoint {}: api-version {} has no Responses API: Cursor routes and Responses deployments will fail; "
                   "set AZURE_RESPONSES_API_VERSION=v1 (or responses_api_version)", e.name, e.responses_api_version());
  for (auto& d : cfg.team->deployments)
    if (auto caps = d.capabilities.describe(); !caps.empty())
      spdlog::info("deployment {} takes (configured): {}", d.name, caps);
  if (cfg.auth_token.empty()) {
    if (cfg.listen_is_loopback())
      spdlog::info("client auth off (ANTHROPIC_AUTH_TOKEN unset); listening on loopback only");
    else
      spdlog::warn(
          "!!! ANTHROPIC_AUTH_TOKEN is unset and {} is reachable from the network: anyone who can connect "
          "spends your Azure quota. Set ANTHROPIC_AUTH_TOKEN. !!!",
          host);
  } else {
    spdlog::info("client auth on (ANTHROPIC_AUTH_TOKEN)");
  }
  if (!cfg.upstream_proxy.empty()) {
    upstream::Url p;
    upstream::parse_url(cfg.upstream_proxy, p);
    spdlog::info("upstream through proxy {}:{} (CONNECT); direct for NO_PROXY {}", p.host, p.port,
                 fmt::join(cfg.no_proxy, ","));
  }
  if (!cfg.record_dir.empty())
    spdlog::warn("recording every exchange to {} (prompts included; keys and tokens redacted)", cfg.record_dir);
  if (!cfg.verify_tls) spdlog::warn("AZURE_VERIFY_TLS=false: the upstream certificate is NOT verified");

  // SIGHUP: reload the config file (validated first; on error the configuration in use stays).
  asio::signal_set hangup(ioc, SIGHUP);
  std::function<void()> on_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      try {
        auto file_env = config::read_env_file(env_file.empty() ? ".env" : env_file, !env_file.empty());
        app->reload(config::merge(config::process_env(), file_env));
      } catch (const config::ConfigError& e) {
        spdlog::error("SIGHUP: {}", e.what());
      }
      on_hangup();
    });
  };
  on_hangup();

  // SIGTERM/SIGINT: stop accepting, let answers in flight finish (up to SHUTDOWN_GRACE), then
  // stop. A second signal stops at once.
  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  asio::steady_timer drain(ioc);
  auto deadline = std::chrono::steady_clock::now();
  std::function<void()> check_drained = [&] {
    if (server.in_flight() == 0 || std::chrono::steady_clock::now() >= deadline) {
      if (server.in_flight() > 0) spdlog::warn("stopping with {} requests still in flight", server.in_flight());
      ioc.stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(100));
    drain.async_wait([&](const boost::system::error_code&) { check_drained(); });
  };
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {}: no new connections; waiting up to {} s for {} requests in flight", sig,
                 cfg.shutdown_grace.count(), server.in_flight());
    app->set_draining();
    hangup.cancel();
    server.stop();
    deadline = std::chrono::steady_clock::now() + cfg.shutdown_grace;
    check_drained();
    signals.async_wait([&](const boost::system::error_code& ec2, int) {
      if (!ec2) ioc.stop();
    });
  });

  std::vector<std::thread> pool;
  for (int i = 1; i < n_threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  spdlog::info("stopped");
  return 0;
}
