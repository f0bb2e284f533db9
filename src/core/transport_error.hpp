// Transport failures of an upstream exchange, protocol-free (a value both the upstream client
// and the protocol error mapping use, so neither depends on the other).
#pragma once

#include <string>

namespace agp {

enum class TransportFailure { connect, tls, first_byte_timeout, idle_timeout, reset, protocol, cancelled };

// The failure's name in metrics and logs: connect, tls, first_byte_timeout, …
inline const char* transport_failure_name(TransportFailure f) {
  switch (f) {
    case TransportFailure::connect: return "connect";
    case TransportFailure::tls: return "tls";
    case TransportFailure::first_byte_timeout: return "first_byte_timeout";
    case TransportFailure::idle_timeout: return "idle_timeout";
    case TransportFailure::reset: return "reset";
    case TransportFailure::protocol: return "protocol";
    case TransportFailure::cancelled: return "cancelled";
  }
  return "unknown";
}

struct TransportError {
  TransportFailure what = TransportFailure::connect;
  std::string detail;
  bool before_response = true;  // nothing of the answer was read: safe to retry
};

namespace upstream {
using agp::TransportError;
using agp::TransportFailure;
}  // namespace upstream

}  // namespace agp
