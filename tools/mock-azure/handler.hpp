// Request routing for the mock: Azure chat and responses endpoints, the /_mock control API, /health.
#pragma once

#include "apim.hpp"
#include "entra.hpp"
#include "request_log.hpp"
#include "model_limits.hpp"
#include "rules.hpp"

#include "http/server.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace mock {

struct MockConfig {
  std::string api_key;
  std::vector<std::string> deployments;            // empty = any valid name
  std::vector<std::string> reasoning_deployments;  // empty = names matching ^(o[0-9]|gpt-5)
  std::vector<std::string> api_versions;
  ModelLimits model_limits;  // --model-limits: what each deployment's model refuses
  // --auth: what the resource accepts: its key (api-key; the v1 API also takes it as a bearer
  // token) and/or Entra ID tokens the mock authority issued (Authorization: Bearer).
  std::vector<std::string> auth{"key"};
  ApimConfig apim;  // API Management in front (then it authenticates to the resource itself)
  std::string scenario;      // --scenario demo: answers for a Claude Code tool loop (demo.hpp)
};

struct MockState {
  MockConfig config;
  RuleStore rules;
  RequestLog log;
  std::unique_ptr<Entra> entra;  // the token authority and managed identity endpoints
  TokenLimits limits;            // APIM's token-limit policy counters
  std::atomic<unsigned> reset_generation{0};  // bumped by /_mock/reset; ends "hang" faults
  std::atomic<bool> stopping{false};
};

boost::asio::awaitable<void> handle(MockState& st, agp::http::Request& req, agp::http::ResponseWriter& w);

}  // namespace mock
