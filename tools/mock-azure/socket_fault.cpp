#include "socket_fault.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <dirent.h>
#include <sys/socket.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace mock {

int find_peer_fd(std::string_view remote) {
  if (remote.empty()) return -1;
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  int found = -1;
  while (auto* ent = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(ent->d_name, &end, 10);
    if (end == ent->d_name || *end != '\0') continue;
    boost::asio::ip::tcp::endpoint ep;
    socklen_t len = static_cast<socklen_t>(ep.capacity());
    if (getpeername(static_cast<int>(fd), ep.data(), &len) != 0) continue;
    int family = ep.data()->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    ep.resize(len);
    std::string text = ep.address().to_string() + ":" + std::to_string(ep.port());
    if (text == remote) {
      found = static_cast<int>(fd);
      break;
    }
  }
  closedir(dir);
  return found;
}

void make_abortive(int fd) {
  if (fd < 0) return;
  linger lg{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

bool peer_gone(int fd) {
  if (fd < 0) return false;
  char c;
  ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
  return false;
}

}  // namespace mock
