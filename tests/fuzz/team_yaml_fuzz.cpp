// config::load_team_text (the team YAML loader behind --config) on arbitrary text: a team, or a
// TeamError naming file:line:col; no yaml-cpp exception (BadConversion, …) may escape.
#include "config/team.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const agp::config::Env env = {{"AZURE_OPENAI_KEY_EAST", "a"}, {"AZURE_OPENAI_KEY_WEST", "b"},
                                       {"APIM_SUBSCRIPTION_KEY", "c"}, {"AZURE_TENANT_ID", "t"},
                                       {"AZURE_CLIENT_ID", "c"},       {"AZURE_CLIENT_SECRET", "s"}};
  try {
    auto team = agp::config::load_team_text(std::string(agp_fuzz::bytes(data, size)), "fuzz.yaml", env);
    (void)agp::config::describe_team(team);
  } catch (const agp::config::TeamError& e) {
    agp_fuzz::check(*e.what() != '\0', "the error says what is wrong");
  }
  return 0;
}
