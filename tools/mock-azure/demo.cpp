#include "demo.hpp"

#include <boost/json/array.hpp>

#include <sstream>
#include <vector>

namespace mock {

namespace json = boost::json;
using std::string;

namespace {

string str(const json::value* v) {
  auto s = v ? v->if_string() : nullptr;
  return s ? string(*s) : string();
}

// Content as text: a string, or the text of its parts.
string text_of(const json::value* content) {
  if (!content) return {};
  if (auto s = content->if_string()) return string(*s);
  string out;
  if (auto parts = content->if_array())
    for (auto& p : *parts)
      if (auto o = p.if_object()) out += str(o->if_contains("text"));
  return out;
}

// Chat: tools[].function.name; Responses: tools[].name.
bool offers_tool(const json::object& body, std::string_view name) {
  auto tools = body.if_contains("tools");
  if (!tools || !tools->is_array()) return false;
  for (auto& t : tools->get_array()) {
    auto o = t.if_object();
    if (!o) continue;
    auto f = o->if_contains("function");
    string n = f && f->is_object() ? str(f->get_object().if_contains("name")) : str(o->if_contains("name"));
    if (n == name) return true;
  }
  return false;
}

struct Last {
  string role;         // user | tool | assistant | …
  string tool_output;  // when role == tool
};

// The last message that is not an instruction: Claude Code sends its environment as a system
// message after the user's turn.
Last last_message(const json::object& body, bool responses) {
  auto list = body.if_contains(responses ? "input" : "messages");
  if (list && list->is_string()) return {"user", {}};
  if (!list || !list->is_array()) return {};
  const auto& items = list->get_array();
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    auto o = it->if_object();
    if (!o) continue;
    if (responses && str(o->if_contains("type")) == "function_call_output")
      return {"tool", text_of(o->if_contains("output"))};
    string role = str(o->if_contains("role"));
    if (role == "system" || role == "developer") continue;
    return {role, role == "tool" ? text_of(o->if_contains("content")) : string()};
  }
  return {};
}

}  // namespace

string demo_summary(const string& output) {
  if (output.starts_with("[tool error]"))
    return "The command did not run: " + output.substr(12, 300) +
           "\n\nThat is all the demo does. Put your Azure endpoint and key in .env and run the proxy without "
           "--demo for real work.";
  std::vector<string> entries;
  std::istringstream in(output);
  for (string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty() && line != "(no output)") entries.push_back(line);
  }
  string s;
  if (entries.empty()) {
    s = "`ls` printed nothing: this folder is empty.";
  } else {
    s = "`ls` listed " + std::to_string(entries.size()) + (entries.size() == 1 ? " entry" : " entries") +
        " in this folder:";
    for (std::size_t i = 0; i < entries.size() && i < 20; ++i) s += (i ? ", " : " ") + entries[i];
    if (entries.size() > 20) s += ", …";
    s += ".";
  }
  s += "\n\nThis answer came from the demo mock Azure: Claude Code's request went through azure-gpt-proxy, "
       "which translated it to Azure OpenAI's API and back, and Claude Code ran the Bash tool itself. With your "
       "Azure deployment in .env (and no --demo), a real model answers here.";
  return s;
}

Respond demo_respond(const json::object& body, bool responses) {
  Respond r;
  auto last = last_message(body, responses);
  if (last.role == "tool") {
    r.text = demo_summary(last.tool_output);
  } else if (last.role == "user" && offers_tool(body, "Bash")) {
    r.text = "Let me look at the files in this folder.";
    r.tool_calls.push_back({"", "Bash", R"({"command":"ls","description":"List the files in the current folder"})"});
  } else {
    r.text = "Hello from the demo mock Azure. Ask me what files are in this folder, and I will use the Bash tool.";
  }
  return r;
}

}  // namespace mock
