// Every folder under tests/data/recordings/ is a recorded exchange (--record DIR): replaying
// its upstream answer through today's translators must give what the client received then.
// A user's bug report ("here is my recording") becomes a row by copying the folder here.
#include "record/recording.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_replay_test {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> recordings() {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(fs::path(AGP_TEST_DATA) / "recordings"))
    if (e.is_directory()) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class Replay : public ::testing::TestWithParam<std::string> {};

TEST_P(Replay, GivesWhatTheClientReceived) {
  auto rec = agp::record::load(fs::path(AGP_TEST_DATA) / "recordings" / GetParam());
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  auto out = agp::record::replay(*rec);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_TRUE(agp::record::same_answer(*out, rec->client_response)) << "replayed:\n"
                                                                    << *out << "\nrecorded (or written by hand):\n"
                                                                    << rec->client_response;
}

INSTANTIATE_TEST_SUITE_P(Recordings, Replay, ::testing::ValuesIn(recordings()),
                         [](const auto& info) { return info.param; });

TEST(Recording, SecretsAreNeverWritten) {
  for (auto& name : recordings()) {
    for (auto file : {"client_request.json", "upstream_request.json", "meta.json"}) {
      std::ifstream in(fs::path(AGP_TEST_DATA) / "recordings" / name / file);
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_EQ(text.find("\"x-api-key\":\"tok\""), std::string::npos) << name << "/" << file;
      EXPECT_EQ(text.find("\"api-key\""), std::string::npos) << name << "/" << file;
    }
  }
  EXPECT_TRUE(agp::record::is_secret_header("Authorization"));
  EXPECT_TRUE(agp::record::is_secret_header("X-Api-Key"));
  EXPECT_TRUE(agp::record::is_secret_header("Ocp-Apim-Subscription-Key"));
  EXPECT_FALSE(agp::record::is_secret_header("content-type"));
}

TEST(Recording, AlteredClientResponseIsCaught) {
  // The comparison can fail: a recording whose client stream was edited does not replay equal.
  auto rec = agp::record::load(fs::path(AGP_TEST_DATA) / "recordings" / "chat_tools_stream");
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  auto out = agp::record::replay(*rec);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(agp::record::without_pings(*out), agp::record::without_pings(rec->client_response));
  auto tampered = rec->client_response;
  auto at = tampered.find("\"text\":\"");
  ASSERT_NE(at, std::string::npos);
  tampered.insert(at + 8, "TAMPERED");
  EXPECT_NE(agp::record::without_pings(*out), agp::record::without_pings(tampered));
  EXPECT_FALSE(agp::record::same_answer(*out, tampered));
}

}  // namespace

}  // namespace unit_replay_test
