// Socket tricks for fault injection. The shared HTTP server does not expose its socket, so the
// mock finds the connection's file descriptor by its peer address (the request's "ip:port").
#pragma once

#include <string_view>

namespace mock {

// The fd of the accepted TCP socket whose peer is `remote` ("ip:port"), or -1.
int find_peer_fd(std::string_view remote);
// SO_LINGER 0: the next close() sends a TCP RST instead of a FIN.
void make_abortive(int fd);
// True when the peer has closed or reset the connection (non-blocking peek).
bool peer_gone(int fd);

}  // namespace mock
