// config::parse_env_text (the dotenv reader behind --env-file) on arbitrary text: a map of
// keys, or a ConfigError naming the line; nothing else may escape.
#include "config/config.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    auto env = agp::config::parse_env_text(agp_fuzz::bytes(data, size), "fuzz.env");
    for (auto& [k, v] : env) agp_fuzz::check(!k.empty(), "no empty key");
  } catch (const agp::config::ConfigError& e) {
    agp_fuzz::check(*e.what() != '\0', "the error says what is wrong");
  }
  return 0;
}
