#include "http/contexts.hpp"

#include <thread>

namespace agp::http {

Contexts::Contexts(int threads) {
  for (int i = 0; i < threads; ++i) {
    contexts_.push_back(std::make_unique<Context>(1));
    keep_running_.push_back(boost::asio::make_work_guard(*contexts_.back()));
  }
}

Contexts::~Contexts() {
  keep_running_.clear();  // the guards count work on their contexts: released while those exist
  // Phase one: every context's services shut down; the handlers and coroutine frames still
  // pending are destroyed here, while every service of every context still exists.
  for (auto& c : contexts_) c->shutdown();
  // Phase two: ~io_context (its shutdown again is a no-op) frees the services.
  contexts_.clear();
}

std::vector<boost::asio::io_context*> Contexts::pointers() const {
  std::vector<boost::asio::io_context*> out;
  for (auto& c : contexts_) out.push_back(c.get());
  return out;
}

void Contexts::run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < contexts_.size(); ++i) threads.emplace_back([c = contexts_[i].get()] { c->run(); });
  contexts_.front()->run();
  for (auto& t : threads) t.join();
}

void Contexts::stop() {
  for (auto& c : contexts_) c->stop();
}

}  // namespace agp::http
