// Admission control: caps on what the process holds at once — client connections, requests and
// streams in flight, bytes of bodies held in memory — counted with permits that give back what
// they took when they go. Thread-safe and protocol-free; the server and the gateway take permits,
// and whoever reports (metrics, logs) reads snapshot().
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace agp::http {

// A count with a cap (0 = no cap). Slots (connections, requests) take 1; byte budgets take sizes.
class Limiter {
 public:
  explicit Limiter(std::uint64_t cap = 0) : cap_(cap) {}
  Limiter(const Limiter&) = delete;
  Limiter& operator=(const Limiter&) = delete;

  // What one holder took; released when it is destroyed or reset.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& o) noexcept : limiter_(o.limiter_), held_(o.held_) { o.limiter_ = nullptr, o.held_ = 0; }
    Permit& operator=(Permit&& o) noexcept;
    ~Permit() { reset(); }
    // True when this permit was granted (an empty one was refused, or never asked).
    explicit operator bool() const { return limiter_ != nullptr; }
    // Takes `more` on top of what is held; false (nothing taken, the refusal counted) over the cap.
    bool grow(std::uint64_t more);
    std::uint64_t held() const { return held_; }
    void reset();

   private:
    friend class Limiter;
    Permit(Limiter* l, std::uint64_t n) : limiter_(l), held_(n) {}
    Limiter* limiter_ = nullptr;
    std::uint64_t held_ = 0;
  };

  // `n` if it fits under the cap, else an empty permit (and the refusal is counted).
  Permit try_take(std::uint64_t n = 1);
  std::uint64_t cap() const { return cap_; }
  std::uint64_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
  std::uint64_t peak() const { return peak_.load(std::memory_order_relaxed); }
  std::uint64_t rejected() const { return rejected_.load(std::memory_order_relaxed); }

 private:
  bool take(std::uint64_t n);
  void give_back(std::uint64_t n) { in_use_.fetch_sub(n, std::memory_order_relaxed); }
  const std::uint64_t cap_;
  std::atomic<std::uint64_t> in_use_{0}, peak_{0}, rejected_{0};
};

using Permit = Limiter::Permit;

// The process's caps, shared by the server (connections, request bodies) and the gateway
// (requests, streams, whole answers buffered for translation).
struct Admission {
  struct Caps {
    std::uint64_t connections = 0, requests = 0, streams = 0, buffered_bytes = 0;  // 0 = no cap
  };
  explicit Admission(Caps c)
      : connections(c.connections), requests(c.requests), streams(c.streams), buffered_bytes(c.buffered_bytes) {}
  Admission() : Admission(Caps{}) {}

  Limiter connections;     // client connections open (MAX_CONNECTIONS)
  Limiter requests;        // model requests being handled (MAX_IN_FLIGHT)
  Limiter streams;         // streamed answers open (MAX_STREAMS)
  Limiter buffered_bytes;  // request bodies and whole upstream answers held (BODY_BUDGET)
  std::atomic<std::uint64_t> timeouts{0};  // a header or body too slow: answered 408 and closed

  // One row per limiter, for metrics: in use now, peak, cap (0 = none), refusals so far.
  struct Row {
    std::string name;
    std::uint64_t in_use, peak, cap, rejected;
  };
  std::vector<Row> snapshot() const;
};

}  // namespace agp::http
