// --scenario demo: what the mock answers when no rule matches, so that a newcomer can watch
// Claude Code's tool loop through the proxy without Azure. A request that offers a Bash tool and
// ends with the user's message gets a Bash `ls` call; the next one, ending with that call's
// result, gets a summary of what `ls` printed; anything else gets a short greeting.
#pragma once

#include "rules.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace mock {

Respond demo_respond(const boost::json::object& body, bool responses);

// The summary of a tool's output the demo answers with (the entries `ls` listed).
std::string demo_summary(const std::string& tool_output);

}  // namespace mock
