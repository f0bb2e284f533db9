// token-count: exact tiktoken-compatible token ids and counts, for tests and benchmarks.
//
//   token-count [--encoding o200k_base|cl100k_base] [--ids] [--chat]
//
// Reads JSON lines on stdin. Each line is a JSON string (the text) or an object
// {"text": "...", "encoding": "..."} / {"chat": {...Chat Completions body...}}. Writes one
// JSON line per input: {"count": N, "ids": [...]} (ids with --ids or "ids": true), or for a
// chat body {"total": N, "exact": E, "estimated": S, "text":..., "framing":..., "tools":...,
// "images":..., "files":...}. Exit status 2 when the vocabulary cannot be loaded.
#include <boost/json.hpp>

#include <cstdio>
#include <iostream>
#include <string>

#include "tokens/count.hpp"
#include "tokens/tokenizer.hpp"

namespace json = boost::json;
using namespace agp::tokens;

int main(int argc, char** argv) {
  Encoding enc = Encoding::o200k_base;
  bool ids = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--encoding" || a == "-e") && i + 1 < argc) {
      auto e = encoding_from_name(argv[++i]);
      if (!e) {
        std::cerr << "token-count: unknown encoding " << argv[i] << "\n";
        return 64;
      }
      enc = *e;
    } else if (a == "--ids") {
      ids = true;
    } else if (a == "--help" || a == "-h") {
      std::cout << "usage: token-count [--encoding o200k_base|cl100k_base] [--ids] < json-lines\n";
      return 0;
    } else {
      std::cerr << "token-count: unknown argument " << a << "\n";
      return 64;
    }
  }
  try {
    verify_vocabularies();
  } catch (const std::exception& e) {
    std::cerr << "token-count: " << e.what() << "\n";
    return 2;
  }
  std::ios::sync_with_stdio(false);
  std::string line, out;
  std::vector<std::uint32_t> buf;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json::value v;
    try {
      v = json::parse(line);
    } catch (const std::exception& e) {
      std::cout << json::serialize(json::object{{"error", e.what()}}) << '\n';
      continue;
    }
    Encoding e = enc;
    bool want_ids = ids;
    std::string_view text;
    if (v.is_object()) {
      auto& o = v.get_object();
      if (auto* en = o.if_contains("encoding"); en && en->is_string())
        if (auto x = encoding_from_name(en->get_string())) e = *x;
      if (auto* w = o.if_contains("ids"); w && w->is_bool()) want_ids = w->get_bool();
      if (auto* chat = o.if_contains("chat"); chat && chat->is_object()) {
        auto c = count_chat_request_detailed(chat->get_object(), e);
        std::cout << json::serialize(json::object{{"total", c.total()},
                                                  {"exact", c.exact},
                                                  {"estimated", c.estimated},
                                                  {"text", c.text},
                                                  {"framing", c.framing},
                                                  {"tools", c.tools},
                                                  {"images", c.images},
                                                  {"files", c.files}})
                  << '\n';
        continue;
      }
      if (auto* t = o.if_contains("text"); t && t->is_string()) text = t->get_string();
    } else if (v.is_string()) {
      text = v.get_string();
    }
    buf.clear();
    Tokenizer::get(e).encode(text, buf);
    out = "{\"count\":" + std::to_string(buf.size());
    if (want_ids) {
      out += ",\"ids\":[";
      for (std::size_t i = 0; i < buf.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(buf[i]);
      }
      out += ']';
    }
    out += "}\n";
    std::cout << out;
  }
  std::cout.flush();
  return 0;
}
