// Transport failures of an upstream exchange, protocol-free (a value both the upstream client
// and the protocol error mapping use, so neither depends on the other).
#pragma once

#include <string>

namespace agp {

enum class TransportFailure { connect, tls, first_byte_timeout, idle_timeout, reset, protocol, cancelled };

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
