#pragma once
// The proxy's threads: one io_context per thread, each run by exactly that thread (a connection
// stays on the thread that accepted it: no strand, no cross-thread wake-ups). Protocol-free.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace agp::http {

class Contexts {
 public:
  explicit Contexts(int threads);
  // Shuts every context down before destroying any: a coroutine frame suspended on one context can
  // hold sockets, timers and strands of the others (a connection accepted on the first and served
  // on the second; an upstream connection), and destroying that frame must find their services
  // still there. Asio's own ~io_context does shutdown then destroy for one context; this does it
  // for the set (ASan and UBSan reported use of freed services at exit in either single order).
  ~Contexts();
  Contexts(const Contexts&) = delete;
  Contexts& operator=(const Contexts&) = delete;

  boost::asio::io_context& operator[](std::size_t i) { return *contexts_[i]; }
  std::size_t size() const { return contexts_.size(); }
  std::vector<boost::asio::io_context*> pointers() const;
  // Runs context 0 on the calling thread and each other one on a thread of its own; returns once
  // stop() has stopped them all and the threads are joined. A context with nothing to do keeps
  // running until then.
  void run();
  // Safe from any thread, and from a handler on any of the contexts.
  void stop();

 private:
  struct Context : boost::asio::io_context {
    using boost::asio::io_context::io_context;
    using boost::asio::io_context::shutdown;  // the services' shutdown: pending handlers destroyed
  };
  std::vector<std::unique_ptr<Context>> contexts_;
  std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> keep_running_;
};

}  // namespace agp::http
