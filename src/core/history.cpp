#include "core/history.hpp"

#include <algorithm>
#include <set>

namespace agp::conv {

namespace {

std::vector<std::string> call_ids(const Message& m) {
  std::vector<std::string> ids;
  for (auto& b : m.content)
    if (b.type == BlockType::tool_use) ids.push_back(b.id);
  return ids;
}

Block interrupted(const std::string& id) {
  Block r;
  r.type = BlockType::tool_result;
  r.type_name = "tool_result";
  r.tool_use_id = id;
  Block t;
  t.text = std::string(kInterruptedResult);
  r.content.push_back(std::move(t));
  return r;
}

// A result that answers nothing keeps its information as user content.
void orphan_to_text(const Block& result, std::vector<Block>& out) {
  Block text;
  text.text = (result.is_error ? "[error result of an earlier tool call " : "[result of an earlier tool call ") +
              result.tool_use_id + "]";
  std::vector<Block> rest;
  for (auto& c : result.content) {
    if (c.type == BlockType::text)
      text.text += "\n" + c.text;
    else
      rest.push_back(c);  // images, documents: kept as user content
  }
  out.push_back(std::move(text));
  out.insert(out.end(), rest.begin(), rest.end());
}

// The message after `i` that is not a system message, or messages.size().
std::size_t next_turn(const std::vector<Message>& ms, std::size_t i) {
  for (std::size_t j = i + 1; j < ms.size(); ++j)
    if (ms[j].role != Role::system) return j;
  return ms.size();
}

// Synthetic results, after the results that are there (results come first in a turn), in the calls' order.
void answer_calls(const std::vector<std::string>& ids, Message& turn, std::vector<std::string>& notes) {
  std::set<std::string> answered;
  for (auto& b : turn.content)
    if (b.type == BlockType::tool_result) answered.insert(b.tool_use_id);
  std::vector<Block> synthetic;
  for (auto& id : ids)
    if (!answered.contains(id)) {
      synthetic.push_back(interrupted(id));
      notes.push_back("tool call " + id + " had no result: marked as interrupted");
    }
  auto& content = turn.content;
  auto at = std::find_if(content.begin(), content.end(), [](const Block& b) { return b.type != BlockType::tool_result; });
  content.insert(at, synthetic.begin(), synthetic.end());
}

}  // namespace

std::vector<std::string> repair_tool_history(Conversation& c) {
  std::vector<std::string> notes;
  auto& ms = c.messages;
  // 1. Every call is answered in the next turn: in that user turn, or in a user turn added right
  // after the call. Added turns are collected and spliced in once (inserting each into the vector
  // was quadratic over a long history).
  std::vector<std::pair<std::size_t, Message>> added;  // (after message i, the turn)
  for (std::size_t i = 0; i < ms.size(); ++i) {
    if (ms[i].role != Role::assistant) continue;
    auto ids = call_ids(ms[i]);
    if (ids.empty()) continue;
    std::size_t j = next_turn(ms, i);
    if (j < ms.size() && ms[j].role == Role::user) {
      answer_calls(ids, ms[j], notes);
    } else {
      Message m;
      m.role = Role::user;
      answer_calls(ids, m, notes);
      added.emplace_back(i, std::move(m));
    }
  }
  if (!added.empty()) {
    std::vector<Message> out;
    out.reserve(ms.size() + added.size());
    auto next = added.begin();
    for (std::size_t i = 0; i < ms.size(); ++i) {
      out.push_back(std::move(ms[i]));
      if (next != added.end() && next->first == i) out.push_back(std::move((next++)->second));
    }
    ms = std::move(out);
  }
  // 2. Every result answers a call of the turn before, once.
  std::vector<std::string> open;  // the calls of the last assistant turn not yet answered
  for (auto& m : ms) {
    if (m.role == Role::system) continue;
    if (m.role == Role::assistant) {
      open = call_ids(m);
      continue;
    }
    std::vector<Block> out;
    for (auto& b : m.content) {
      if (b.type != BlockType::tool_result) {
        out.push_back(std::move(b));
        continue;
      }
      auto it = std::find(open.begin(), open.end(), b.tool_use_id);
      if (it != open.end()) {
        open.erase(it);
        out.push_back(std::move(b));
      } else {
        notes.push_back("tool result " + b.tool_use_id + " answers no call: sent as user text");
        orphan_to_text(b, out);
      }
    }
    m.content = std::move(out);
    open.clear();
  }
  return notes;
}

}  // namespace agp::conv
