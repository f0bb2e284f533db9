#include "gateway/client_watch.hpp"

namespace agp::gateway {

std::shared_ptr<ClientWatch> ClientWatch::start(http::ResponseWriter& res, std::chrono::milliseconds poll,
                                                std::function<void()> gone) {
  auto w = std::make_shared<ClientWatch>(res, poll, std::move(gone));
  w->check();
  return w;
}

void ClientWatch::check() {
  using Peer = http::ResponseWriter::Peer;
  if (stopped_) return;
  switch (res_->peer_state()) {
    case Peer::closed:
      left_ = stopped_ = true;
      gone_();
      return;
    case Peer::waiting:
      waiting_ = true;
      res_->async_wait_readable([self = shared_from_this()](boost::system::error_code ec) {
        self->waiting_ = false;
        if (!ec) self->check();  // an error: cancelled (stop), or the socket closed by the proxy itself
      });
      return;
    case Peer::sent_more:
      if (!timer_) timer_ = std::make_unique<boost::asio::steady_timer>(res_->executor());
      timer_->expires_after(poll_);
      timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec) self->check();
      });
      return;
  }
}

void ClientWatch::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (waiting_) res_->cancel_wait();
  if (timer_) timer_->cancel();
}

}  // namespace agp::gateway
