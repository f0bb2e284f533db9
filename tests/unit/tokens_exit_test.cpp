// The process-wide tokenizers are never destroyed: a thread still counting tokens while the
// process exits (a request in flight at shutdown, or ready()'s detached builder) must not find
// its tokenizer freed by the static destructors. Before the fix the tokenizers lived in a
// function-local static array, destroyed at exit under the counting threads' feet.
#include "tokens/tokenizer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <thread>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_tokens_exit_test {

namespace {

using agp::tokens::Encoding;
using agp::tokens::Tokenizer;

TEST(TokenizerExit, ThreadsStillCountingWhileTheProcessExits) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        static std::atomic<int> started{0};
        for (auto e : {Encoding::o200k_base, Encoding::cl100k_base}) {
          std::thread([e] {
            ++started;
            for (;;) (void)Tokenizer::get(e).count("counting while the process exits, again and again");
          }).detach();
        }
        while (started < 2) std::this_thread::yield();
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace

}  // namespace unit_tokens_exit_test
