#include "http/admission.hpp"

namespace agp::http {

bool Limiter::take(std::uint64_t n) {
  auto now = in_use_.load(std::memory_order_relaxed);
  do {
    if (cap_ != 0 && (n > cap_ || now > cap_ - n)) {
      rejected_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
  } while (!in_use_.compare_exchange_weak(now, now + n, std::memory_order_relaxed));
  auto seen = peak_.load(std::memory_order_relaxed);
  while (now + n > seen && !peak_.compare_exchange_weak(seen, now + n, std::memory_order_relaxed)) {
  }
  return true;
}

Limiter::Permit Limiter::try_take(std::uint64_t n) {
  if (!take(n)) return {};
  return Permit(this, n);
}

Limiter::Permit& Limiter::Permit::operator=(Permit&& o) noexcept {
  if (this != &o) {
    reset();
    limiter_ = o.limiter_;
    held_ = o.held_;
    o.limiter_ = nullptr;
    o.held_ = 0;
  }
  return *this;
}

bool Limiter::Permit::grow(std::uint64_t more) {
  if (!limiter_ || !limiter_->take(more)) return false;
  held_ += more;
  return true;
}

void Limiter::Permit::reset() {
  if (limiter_) limiter_->give_back(held_);
  limiter_ = nullptr;
  held_ = 0;
}

std::vector<Admission::Row> Admission::snapshot() const {
  auto row = [](const char* name, const Limiter& l) {
    return Row{name, l.in_use(), l.peak(), l.cap(), l.rejected()};
  };
  return {row("connections", connections), row("requests", requests), row("streams", streams),
          row("buffered_bytes", buffered_bytes)};
}

}  // namespace agp::http
