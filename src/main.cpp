// azure-gpt-proxy: flags, configuration, start-up report, serve until a signal.
#include "access/access.hpp"
#include "access/keys_cli.hpp"
#include "config/config.hpp"
#include "config/routing.hpp"
#include "core/ids.hpp"
#include "gateway/app.hpp"
#include "gateway/doctor.hpp"
#include "gateway/refusals.hpp"
#include "http/contexts.hpp"
#include "http/server.hpp"
#include "ops/demo.hpp"
#include "ops/logging.hpp"
#include "record/recording.hpp"
#include "upstream/client.hpp"

#include <fmt/ranges.h>
#include "tokens/tokenizer.hpp"

#include <boost/asio/executor_work_guard.hpp>
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
  auto* doctor = cli.add_subcommand(
      "doctor", "check every endpoint and deployment of the configuration with one tiny request each, "
                "print what is wrong and how to fix it; exit 1 on any failure");
  doctor->fallthrough();  // `doctor --config FILE` takes the main options after the subcommand too
  std::string database;
  cli.add_option("--database", database,
                 "team access database: sqlite:///abs/path/file.db or postgresql://… (env DATABASE_URL); keys, "
                 "budgets and usage per key");
  // keys create|list|revoke|usage: team keys on the database of --database / DATABASE_URL.
  auto* keys = cli.add_subcommand("keys", "manage team keys (create, list, revoke) and read usage per key");
  keys->fallthrough();
  keys->require_subcommand(1);
  access::CreateKey create_args;
  auto* keys_create = keys->add_subcommand("create", "create a key; it is printed once, alone on the last line");
  keys_create->add_option("--name", create_args.name, "the key's unique name (e.g. alice, ci-nightly)")->required();
  keys_create->add_option("--owner", create_args.owner, "who holds it (e.g. alice@example.com)");
  keys_create->add_option("--daily-tokens", create_args.limits.daily_tokens, "input+output tokens a UTC day (0 = no limit)")
      ->check(CLI::NonNegativeNumber);
  keys_create->add_option("--monthly-tokens", create_args.limits.monthly_tokens, "input+output tokens a UTC month")
      ->check(CLI::NonNegativeNumber);
  keys_create->add_option("--rpm", create_args.limits.rpm, "requests per minute (per proxy replica)")
      ->check(CLI::NonNegativeNumber);
  keys_create->add_option("--tpm", create_args.limits.tpm, "tokens per minute (per proxy replica)")
      ->check(CLI::NonNegativeNumber);
  keys_create->add_option("--expires", create_args.expires, "YYYY-MM-DD: the key stops working at 00:00 UTC that day");
  keys_create->fallthrough();
  auto* keys_list = keys->add_subcommand("list", "list the keys (names, owners, 8-character prefixes, limits)");
  keys_list->fallthrough();
  std::string revoke_name;
  auto* keys_revoke = keys->add_subcommand("revoke", "revoke a key: every proxy refuses it within seconds");
  keys_revoke->add_option("--name", revoke_name, "the key's name")->required();
  keys_revoke->fallthrough();
  std::string usage_since = "7d";
  bool usage_json = false;
  auto* keys_usage = keys->add_subcommand("usage", "requests, tokens and cost per key");
  keys_usage->add_option("--since", usage_since, "7d, 24h, 30m or YYYY-MM-DD (default 7d)");
  keys_usage->add_flag("--json", usage_json, "one JSON array");
  keys_usage->fallthrough();
  // Limits and TLS: each flag sets its environment variable (documented in README's configuration).
  struct EnvFlag {
    const char* flag;
    const char* env;
    const char* help;
    std::string value;
  };
  std::vector<EnvFlag> env_flags{
      {"--header-timeout", "HEADER_TIMEOUT", "seconds for a request's whole header block (default 10)", {}},
      {"--body-timeout", "BODY_TIMEOUT", "seconds a request body may go silent (default 10)", {}},
      {"--body-min-rate", "BODY_MIN_RATE", "bytes/s a body must average after BODY_TIMEOUT (default 4096; 0 = any)", {}},
      {"--keepalive-timeout", "KEEPALIVE_TIMEOUT", "seconds an idle kept-alive connection stays open (default 75)", {}},
      {"--max-connections", "MAX_CONNECTIONS", "client connections at once; beyond, 503 (default 1024)", {}},
      {"--max-in-flight", "MAX_IN_FLIGHT", "model requests handled at once; beyond, 529/503 (default 256)", {}},
      {"--max-streams", "MAX_STREAMS", "streamed answers open at once; beyond, 529/503 (default 128)", {}},
      {"--deployment-max-in-flight", "DEPLOYMENT_MAX_IN_FLIGHT",
       "requests per deployment at once unless its max_in_flight says (default 0 = no cap)", {}},
      {"--body-budget", "BODY_BUDGET", "MB of request bodies and whole answers held at once (default: memory/4)", {}},
      {"--ca-file", "AZURE_CA_FILE", "PEM file of CA certificates to trust for Azure besides the system's", {}},
  };
  for (auto& f : env_flags) cli.add_option(f.flag, f.value, std::string(f.help) + " (env " + f.env + ")");
  bool insecure_tls = false;
  cli.add_flag("--insecure-tls", insecure_tls,
               "do NOT verify Azure's TLS certificate (env AZURE_VERIFY_TLS=false); for a lab only");
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

  if (keys->parsed()) {
    std::string url = database;
    try {
      auto file_env = config::read_env_file(env_file.empty() ? ".env" : env_file, !env_file.empty());
      auto env = config::merge(config::process_env(), file_env);
      if (url.empty() && env.count("DATABASE_URL")) url = env["DATABASE_URL"];
    } catch (const config::ConfigError& e) {
      std::cerr << "azure-gpt-proxy: " << e.what() << "\n";
      return 2;
    }
    if (url.empty()) {
      std::cerr << "azure-gpt-proxy keys: no database: give --database URL or set DATABASE_URL\n";
      return 2;
    }
    try {
      auto store = access::open_store(url);
      store->migrate();
      if (keys_create->parsed()) return access::create_key(*store, create_args, std::cout, std::cerr);
      if (keys_list->parsed()) return access::list_keys(*store, std::cout);
      if (keys_revoke->parsed()) return access::revoke_key(*store, revoke_name, std::cout, std::cerr);
      return access::usage_report(*store, usage_since, usage_json, std::cout, std::cerr);
    } catch (const access::StoreError& e) {
      std::cerr << "azure-gpt-proxy keys: " << e.what() << "\n";
      return 1;
    }
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
    for (auto& f : env_flags)
      if (!f.value.empty()) env[f.env] = f.value;
    if (insecure_tls) env["AZURE_VERIFY_TLS"] = "false";
    if (!database.empty()) env["DATABASE_URL"] = database;
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
  if (doctor->parsed()) {
    spdlog::set_level(spdlog::level::err);  // the table is the output; retries and warnings stay quiet
    return gateway::doctor_main(cfg, std::cout);
  }
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  ops::set_log_format(cfg.log_format == "json" ? ops::LogFormat::json : ops::LogFormat::text);
  try {
    tokens::check_vocabulary_blobs();  // a broken build stops start-up; the tables are built on first need
  } catch (const std::exception& e) {
    std::cerr << "azure-gpt-proxy: " << e.what() << "\n";
    return 2;
  }

  int n_threads = cfg.threads > 0 ? cfg.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // One io_context per thread (http/contexts.hpp); the first also runs the acceptor, the signals
  // and the drain timer. Declared before the app and the server, so destroyed after them: its
  // destructor shuts every context down before freeing any, and a coroutine still suspended then
  // is destroyed with every object it holds, of whichever context, still valid.
  http::Contexts iocs(n_threads);
  asio::io_context& ioc = iocs[0];
  auto stop_all = [&iocs] { iocs.stop(); };
  // Shared with the handler: a coroutine still suspended when the io_context stops is destroyed
  // by ~io_context, after everything declared below it, and must find the App alive.
  auto admission = std::make_shared<http::Admission>(gateway::admission_caps(cfg));
  std::shared_ptr<gateway::App> app;
  try {
    app = std::make_shared<gateway::App>(cfg, admission);
  } catch (const std::exception& e) {  // e.g. a CA file without certificates
    std::cerr << "azure-gpt-proxy: " << e.what() << "\n";
    return 2;
  }
  // Team access: keys, budgets and usage accounting on the database; it writes what is queued when
  // the server has stopped (below).
  std::shared_ptr<access::Access> team_access;
  if (!cfg.database_url.empty()) {
    access::Options ao;
    ao.shared_token = cfg.auth_token;
    ao.refresh = cfg.key_refresh;
    ao.flush_every = cfg.usage_flush;
    // The deployment that answered, priced as the team file in use says (a reload takes effect).
    ao.cost = [app = app.get()](const ops::RequestRecord& r) {
      auto team = app->team();
      auto* d = team->find_deployment(r.deployment_key());
      return d ? d->price.cost(r.tokens_in, r.tokens_cached, r.tokens_out) : 0.0;
    };
    try {
      team_access = std::make_shared<access::Access>(access::open_store(cfg.database_url), ao);
    } catch (const access::StoreError& e) {
      std::cerr << "azure-gpt-proxy: team access database: " << e.what() << "\n";
      return 2;
    }
    app->set_access(team_access);
    app->add_observer(team_access.get());
    app->status_board().add_section("team_access", [team_access] {
      return team_access->status_section(std::chrono::system_clock::now());
    });
  }
  http::ServerOptions options;
  options.limits.header_timeout = cfg.header_timeout;
  options.limits.body_timeout = cfg.body_timeout;
  options.limits.body_min_rate = cfg.body_min_rate;
  options.limits.keepalive_timeout = cfg.keepalive_timeout;
  options.refuse = gateway::refuse;
  options.screen = [app](const http::bhttp::request_header<>& h) { return app->screen(h); };
  options.admission = admission;
  http::Server server(
      iocs.pointers(), {asio::ip::make_address(cfg.listen_host), cfg.listen_port},
      [app](http::Request& req, http::ResponseWriter& res) { return app->handle(req, res); }, std::move(options));
  // The server's own counts for /metrics and /status.json.
  app->set_server_counts([&server] {
    return gateway::App::ServerCounts{static_cast<std::int64_t>(server.in_flight()),
                                      static_cast<std::int64_t>(server.admission().connections.in_use())};
  });
  try {
    server.start();
  } catch (const boost::system::system_error& e) {  // not a std::system_error: caught by its own type
    std::cerr << "azure-gpt-proxy: cannot listen on " << cfg.listen_host << ":" << cfg.listen_port << ": "
              << e.code().message() << "\n";
    return 2;
  } catch (const std::exception& e) {
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
    spdlog::info("azure endpoint auth: {}", cfg.team->endpoints.front().describe_auth());
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
  if (team_access) {
    spdlog::info("client auth on: team keys (agp-…){}", cfg.auth_token.empty() ? "" : " and ANTHROPIC_AUTH_TOKEN as '(shared token)'");
  } else if (cfg.auth_token.empty()) {
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
  if (!cfg.verify_tls)
    for (int i = 0; i < 3; ++i)  // three lines: it must not scroll past unseen
      spdlog::warn("!!! INSECURE: TLS verification of Azure is OFF (AZURE_VERIFY_TLS=false / --insecure-tls): anyone "
                   "on the network path can read the prompts and the API key. Use --ca-file for a corporate CA. !!!");
  else if (!cfg.ca_file.empty())
    spdlog::info("TLS: Azure's certificate verified against the system store and {}", cfg.ca_file);
  spdlog::info("limits: connections {}, requests {}, streams {}, buffered bodies {} MB; header {} s, body {} s "
               "(min {} B/s), keep-alive {} s",
               admission->connections.cap(), admission->requests.cap(), admission->streams.cap(),
               admission->buffered_bytes.cap() >> 20, cfg.header_timeout.count(),
               cfg.body_timeout.count(), cfg.body_min_rate, cfg.keepalive_timeout.count());

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
      stop_all();
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
      if (!ec2) stop_all();
    });
  });

  iocs.run();
  if (team_access) team_access->stop(std::chrono::milliseconds(5000));  // every answered request's usage written
  spdlog::info("stopped");
  return 0;
}
