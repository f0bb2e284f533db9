// Transport failures of an upstream exchange, protocol-free.
#pragma once

#include <string>

namespace agp::upstream {

enum class TransportFailure { connect, tls, first_byte_timeout, idle_timeout, reset, protocol, cancelled };

struct TransportError {
  TransportFailure what = TransportFailure::connect;
  std::string detail;
  bool before_response = true;  // nothing of the answer was read: safe to retry
};

}  // namespace agp::upstream
