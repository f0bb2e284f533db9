// Timing harness for the exact tokenizer (bench/tokens.sh runs it next to tiktoken npm).
//
//   tokens_bench <encoding> <texts.json> <request.json> <chat_body.json> [seconds]
//
// texts.json: a JSON array of strings (the MB/s corpus); request.json: a JSON array of the
// strings of one ~50 KB Claude Code-like request (requests/s = encode all of them);
// chat_body.json: the same request as a Chat Completions body (count_chat_request/s).
// Prints one JSON line.
#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "tokens/count.hpp"
#include "tokens/tokenizer.hpp"

namespace json = boost::json;
using namespace agp::tokens;
using Clock = std::chrono::steady_clock;

static json::value load(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "tokens_bench: cannot read " << path << "\n";
    std::exit(1);
  }
  return json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
}

template <class F>
static double per_second(double seconds, F&& f) {
  f();  // warm-up
  std::size_t n = 0;
  auto t0 = Clock::now();
  double el = 0;
  do {
    f();
    ++n;
    el = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (el < seconds);
  return static_cast<double>(n) / el;
}

int main(int argc, char** argv) {
  if (argc < 5) {
    std::cerr << "usage: tokens_bench <encoding> <texts.json> <request.json> <chat_body.json> [seconds]\n";
    return 64;
  }
  auto enc = encoding_from_name(argv[1]).value_or(Encoding::o200k_base);
  double seconds = argc > 5 ? std::stod(argv[5]) : 2.0;
  auto t_load = Clock::now();
  const auto& tk = Tokenizer::get(enc);
  double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - t_load).count();

  std::vector<std::string> texts, request;
  std::size_t bytes = 0, req_bytes = 0;
  json::value texts_doc = load(argv[2]), request_doc = load(argv[3]);
  for (auto& v : texts_doc.as_array()) bytes += texts.emplace_back(v.as_string()).size();
  for (auto& v : request_doc.as_array()) req_bytes += request.emplace_back(v.as_string()).size();
  auto chat = load(argv[4]).as_object();

  std::size_t tokens = 0;
  for (auto& t : texts) tokens += tk.count(t);
  std::vector<std::uint32_t> buf;
  double corpus_per_s = per_second(seconds, [&] {
    for (auto& t : texts) {
      buf.clear();
      tk.encode(t, buf);
    }
  });
  double req_per_s = per_second(seconds, [&] {
    for (auto& t : request) {
      buf.clear();
      tk.encode(t, buf);
    }
  });
  std::int64_t chat_tokens = 0;
  double chat_per_s = per_second(seconds, [&] { chat_tokens = count_chat_request(chat, enc); });
  json::object out{{"impl", "agp C++"},
                   {"encoding", encoding_name(enc)},
                   {"load_ms", load_ms},
                   {"corpus_bytes", bytes},
                   {"corpus_tokens", tokens},
                   {"mb_per_s", corpus_per_s * static_cast<double>(bytes) / 1e6},
                   {"request_bytes", req_bytes},
                   {"requests_per_s", req_per_s},
                   {"count_chat_request_per_s", chat_per_s},
                   {"chat_request_tokens", chat_tokens}};
  std::cout << json::serialize(out) << "\n";
}
