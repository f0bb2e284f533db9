// Build-time tool: verifies a tiktoken encoder JSON (npm `tiktoken` 1.0.22,
// encoders/<name>.json) against its pinned SHA-256 and the expected split pattern, and
// packs its ranks into the compact blob that vocab.cpp embeds (.incbin).
//
//   agp_vocab_pack <encoder.json> <out.bin> <expected-sha256>
//
// Blob layout (little-endian u32s):
//   "AGPTKV1\0" | n_ranks | n_special | pat_len | pat_str | offsets[n_ranks + 1] | token bytes
//   | n_special x (rank, len, bytes)
// A rank absent from the vocabulary has an empty slot (offsets[r] == offsets[r + 1]).
#include <openssl/evp.h>
#include <boost/json.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace json = boost::json;

namespace {

[[noreturn]] void die(const std::string& msg) {
  std::cerr << "\n*** agp_vocab_pack: " << msg
            << "\n*** Re-run scripts/setup.sh (it installs the pinned npm "
               "tiktoken@1.0.22 into build-deps/) and rebuild.\n\n";
  std::exit(1);
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr)) die("SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

int b64val(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool b64decode(std::string_view s, std::string& out) {
  out.clear();
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    int v = b64val(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return !out.empty();
}

void put32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) die("usage: agp_vocab_pack <encoder.json> <out.bin> <sha256>");
  const std::string in_path = argv[1], out_path = argv[2], want_sha = argv[3];
  std::string data = read_all(in_path);
  std::string got_sha = sha256_hex(data);
  if (got_sha != want_sha)
    die("SHA-256 mismatch for " + in_path + "\n***   expected " + want_sha + "\n***   got      " + got_sha +
        "\n*** The vocabulary is missing, corrupt or not from tiktoken@1.0.22.");

  json::value doc;
  try {
    doc = json::parse(data);
  } catch (const std::exception& e) {
    die(in_path + ": not JSON: " + e.what());
  }
  auto& o = doc.as_object();
  std::string_view pat = o.at("pat_str").as_string();

  // bpe_ranks: space-separated; "!" <first-rank> starts a run of base64 tokens with consecutive ranks.
  std::string_view ranks = o.at("bpe_ranks").as_string();
  std::vector<std::string> by_rank;
  std::uint32_t next = 0;
  std::string tok;
  std::size_t pos = 0;
  bool expect_offset = false;
  while (pos < ranks.size()) {
    std::size_t sp = ranks.find(' ', pos);
    if (sp == std::string_view::npos) sp = ranks.size();
    std::string_view word = ranks.substr(pos, sp - pos);
    pos = sp + 1;
    if (word.empty()) continue;
    if (expect_offset) {
      next = static_cast<std::uint32_t>(std::stoul(std::string(word)));
      expect_offset = false;
      continue;
    }
    if (word == "!") {
      expect_offset = true;
      continue;
    }
    if (!b64decode(word, tok)) die(in_path + ": bad base64 token '" + std::string(word) + "'");
    if (by_rank.size() <= next) by_rank.resize(next + 1);
    if (!by_rank[next].empty()) die(in_path + ": duplicate rank " + std::to_string(next));
    by_rank[next++] = tok;
  }
  if (by_rank.size() < 50000) die(in_path + ": too few ranks (" + std::to_string(by_rank.size()) + ")");

  std::string out = std::string("AGPTKV1", 7) + '\0';
  auto& specials = o.at("special_tokens").as_object();
  put32(out, static_cast<std::uint32_t>(by_rank.size()));
  put32(out, static_cast<std::uint32_t>(specials.size()));
  put32(out, static_cast<std::uint32_t>(pat.size()));
  out += pat;
  std::uint32_t off = 0;
  put32(out, 0);
  for (auto& t : by_rank) put32(out, off += static_cast<std::uint32_t>(t.size()));
  for (auto& t : by_rank) out += t;
  for (auto& [name, rank] : specials) {
    put32(out, static_cast<std::uint32_t>(rank.to_number<std::uint64_t>()));
    put32(out, static_cast<std::uint32_t>(name.size()));
    out.append(name.data(), name.size());
  }
  std::string tmp = out_path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    if (!f) die("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), out_path.c_str()) != 0) die("cannot rename " + tmp);
  std::cout << "agp_vocab_pack: " << in_path << " -> " << out_path << " (" << by_rank.size() << " ranks, sha256 ok)\n";
  return 0;
}
