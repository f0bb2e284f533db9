// http::Limiter: caps on slots and bytes, permits that give back what they hold, refusals counted.
#include "http/admission.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

// One namespace per file: the unit build compiles several test files as one translation unit.
namespace unit_admission_test {

using agp::http::Admission;
using agp::http::Limiter;
using agp::http::Permit;

TEST(Limiter, SlotsUpToTheCapThenRefused) {
  Limiter l(2);
  Permit a = l.try_take();
  Permit b = l.try_take();
  Permit c = l.try_take();
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_FALSE(c);
  EXPECT_EQ(l.in_use(), 2u);
  EXPECT_EQ(l.rejected(), 1u);
  a.reset();
  EXPECT_EQ(l.in_use(), 1u);
  EXPECT_TRUE(l.try_take());  // a slot given back is free again (and this permit dies at once)
  EXPECT_EQ(l.in_use(), 1u);
  EXPECT_EQ(l.peak(), 2u);
}

TEST(Limiter, NoCapTakesAnything) {
  Limiter l(0);
  Permit p = l.try_take(1ull << 40);
  EXPECT_TRUE(p);
  EXPECT_EQ(l.rejected(), 0u);
}

TEST(Limiter, BytesGrowWithinTheBudget) {
  Limiter l(100);
  Permit p = l.try_take(0);  // a body of unknown length starts empty
  ASSERT_TRUE(p);
  EXPECT_TRUE(p.grow(60));
  EXPECT_FALSE(p.grow(41));  // would be 101
  EXPECT_EQ(p.held(), 60u);
  EXPECT_TRUE(p.grow(40));
  EXPECT_FALSE(l.try_take(1));
  EXPECT_FALSE(l.try_take(101));  // larger than the whole budget
  EXPECT_EQ(l.rejected(), 3u);
}

TEST(Limiter, PermitsMoveAndReleaseOnce) {
  Limiter l(10);
  {
    Permit a = l.try_take(4);
    Permit b = std::move(a);
    EXPECT_FALSE(a);
    EXPECT_EQ(b.held(), 4u);
    Permit c = l.try_take(3);
    c = std::move(b);  // c's own 3 go back, it holds b's 4
    EXPECT_EQ(l.in_use(), 4u);
  }
  EXPECT_EQ(l.in_use(), 0u);
}

TEST(Limiter, ConcurrentTakersNeverExceedTheCap) {
  Limiter l(8);
  std::atomic<std::uint64_t> over{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        Permit p = l.try_take();
        if (l.in_use() > 8) ++over;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(over.load(), 0u);
  EXPECT_EQ(l.in_use(), 0u);
  EXPECT_LE(l.peak(), 8u);
}

TEST(Admission, SnapshotNamesEveryLimiter) {
  Admission a({1, 2, 3, 4});
  Permit p = a.streams.try_take();
  auto rows = a.snapshot();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[2].name, "streams");
  EXPECT_EQ(rows[2].in_use, 1u);
  EXPECT_EQ(rows[2].cap, 3u);
  EXPECT_EQ(rows[3].name, "buffered_bytes");
  EXPECT_EQ(rows[3].cap, 4u);
}

}  // namespace unit_admission_test
