// The digest behind token comparisons and stored key hashes (core/ids.cpp): FIPS 180-2's SHA-256
// test vectors, on several threads at once (each keeps its own digest context).
#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace agp {
namespace {

// FIPS 180-2, appendix B.1 and B.2; the empty message's digest from NIST's example values.
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kTwoBlocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
constexpr const char* kTwoBlocksText = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

TEST(Ids, Sha256MatchesTheStandardsVectors) {
  EXPECT_EQ(sha256_hex("abc"), kAbc);
  EXPECT_EQ(sha256_hex(""), kEmpty);
  EXPECT_EQ(sha256_hex(kTwoBlocksText), kTwoBlocks);
  EXPECT_EQ(sha256_hex("abc"), kAbc);  // the thread's context, reused
}

TEST(Ids, Sha256OnManyThreadsAtOnce) {
  std::vector<std::thread> threads;
  std::vector<int> wrong(8, 0);
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < 2000; ++i)
        if (sha256_hex(i % 2 ? "abc" : kTwoBlocksText) != (i % 2 ? kAbc : kTwoBlocks)) ++wrong[t];
    });
  for (auto& th : threads) th.join();
  for (int w : wrong) EXPECT_EQ(w, 0);
}

TEST(Ids, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("secret-token", "secret-token"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-tokeN"));
  EXPECT_FALSE(constant_time_equal("secret-token", "secret-token "));
  EXPECT_FALSE(constant_time_equal("secret-token", ""));
  EXPECT_FALSE(constant_time_equal(std::string(1000, 'a'), std::string(999, 'a')));
}

}  // namespace
}  // namespace agp
