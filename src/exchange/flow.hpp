// One exchange, protocol-neutral and pure: the client's request parsed by its front end into the
// neutral conversation, prepared for the target deployment, and the options its answer is
// translated with. The gateway builds every exchange through this; --replay rebuilds a recorded
// one through the same calls from what meta.json recorded, so a replay exercises the real path.
#pragma once

#include "exchange/answer_pipeline.hpp"
#include "exchange/prepare.hpp"

#include <boost/json.hpp>

#include <memory>
#include <string>

namespace agp::exchange {

// The client's request as it arrived: which front end, the body, the headers that matter.
struct ClientRequest {
  Front front = Front::anthropic;
  std::string_view body;
  std::string session_id;  // X-Claude-Code-Session-Id
  std::string betas;       // anthropic-beta (comma-separated)
};

Result<conv::Conversation> parse_client_request(const ClientRequest& req);

// What the translation of one exchange depends on besides the client's request; meta.json keeps it.
struct Spec {
  Front front = Front::anthropic;
  Target target;
  std::string answer_id;  // msg_… / chatcmpl-…
  std::int64_t created = 0;
  std::int64_t input_tokens_estimate = 0;
  openai::chat::ReasoningDisplay display = openai::chat::ReasoningDisplay::think;
  openai::UpstreamContext upstream;
};

struct Exchange {
  // The client's conversation as parsed, shared by every attempt of one request (failover and
  // capability resends prepare anew from it; a copy each was a tenth of the CPU at 50 KB).
  std::shared_ptr<const conv::Conversation> conv;
  Prepared prepared;
  AnswerOptions answer;  // points at prepared.names: an Exchange stays where make_exchange put it
};

std::unique_ptr<Exchange> make_exchange(std::shared_ptr<const conv::Conversation> conv, const Spec& spec);
std::unique_ptr<Exchange> make_exchange(conv::Conversation conv, const Spec& spec);

boost::json::object spec_json(const Spec& spec);
Spec spec_from_json(const boost::json::object& meta);

std::string_view backend_name(Backend b);
std::string_view front_name(Front f);

}  // namespace agp::exchange
