#pragma once
// A value that many threads read and one replaces now and then (the team file on SIGHUP, the key
// cache on refresh): a reader takes a shared_ptr to the value current then and keeps it as long
// as it needs; a replacement never disturbs it.
//
// Not std::atomic<std::shared_ptr>: libstdc++ 12's load() releases its internal lock with a
// relaxed store, so a load is not ordered before the next store's write of the pointer, and
// ThreadSanitizer reports the pair (scripts/tsan.sh). A mutex held for one pointer copy costs the
// same, and is ordered.
#include <memory>
#include <mutex>

namespace agp {

template <typename T>
class Snapshot {
 public:
  Snapshot() = default;
  explicit Snapshot(std::shared_ptr<T> value) : value_(std::move(value)) {}
  std::shared_ptr<T> load() const {
    std::lock_guard lock(mu_);
    return value_;
  }
  void store(std::shared_ptr<T> value) {
    {
      std::lock_guard lock(mu_);
      value_.swap(value);
    }
    // the value replaced is released here, outside the lock (its destructor may be long)
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<T> value_;
};

}  // namespace agp
