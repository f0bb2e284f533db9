// Relays an upstream body as it arrives, interleaved with keep-alive pings while the upstream is
// silent: pump() reads, translates and writes each piece in turn; the pinger writes only while
// pump() waits for the upstream, and pump() waits for a ping's write to end before it writes, so a
// ping never lands inside an event. Protocol-free.
#pragma once

#include "http/server.hpp"
#include "upstream/client.hpp"
#include "wire/sse.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace agp::gateway {

// What a protocol front end plugs into pump(): turns upstream SSE frames into client bytes.
class StreamAdapter {
 public:
  virtual ~StreamAdapter() = default;
  virtual std::string start() = 0;                                  // first bytes to the client
  virtual std::string frame(const wire::SseFrame& f) = 0;           // one upstream frame
  virtual std::string finish() = 0;                                 // upstream body ended
  virtual std::string fail(const upstream::TransportError& e) = 0;  // upstream broke
  virtual std::string ping() = 0;                                   // keep-alive while silent
  virtual bool ended() const = 0;                                   // nothing more to send
};

struct PumpResult {
  bool client_gone = false;
  double first_output_ms = -1;    // when the first non-ping bytes after start() were written
  bool transport_failed = false;  // the upstream connection broke or stalled (not an error event)
};

// Optional observer of the raw bytes of a relayed stream (recordings).
class StreamTaps {
 public:
  virtual ~StreamTaps() = default;
  virtual void upstream(std::string_view bytes) = 0;
  virtual void client(std::string_view bytes) = 0;
};

// Relays the upstream stream through `adapter` to the client until either side ends,
// writing each batch as soon as it is produced. Cancels the upstream if the client leaves.
boost::asio::awaitable<PumpResult> pump(std::unique_ptr<upstream::Response> response, http::ResponseWriter& res,
                                        StreamAdapter& adapter, std::chrono::milliseconds ping_interval,
                                        std::chrono::steady_clock::time_point t0, StreamTaps* taps = nullptr);

}  // namespace agp::gateway
