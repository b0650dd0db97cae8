#include "server/client_socket.h"

#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace holo::server {
namespace {

int port_of(const sockaddr_storage& a) {
    if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
    if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
    return -1;
}

// The numeric host, the way cpp-httplib prints it.
std::string host_of(const sockaddr_storage& a, socklen_t len) {
    char buf[NI_MAXHOST];
    if (getnameinfo(reinterpret_cast<const sockaddr*>(&a), len, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) != 0) {
        return {};
    }
    return buf;
}

}  // namespace

int find_client_socket(const std::string& remote_addr, int remote_port, int local_port) {
    if (remote_port <= 0 || local_port <= 0) return -1;
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return -1;
    int found = -1;
    while (dirent* e = readdir(dir)) {
        char* end = nullptr;
        const long fd = std::strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end != '\0' || fd < 0 || fd == dirfd(dir)) continue;
        // Ports first (cheap); the host's text only for the one or two that match.
        sockaddr_storage peer{}, self{};
        socklen_t peer_len = sizeof peer, self_len = sizeof self;
        if (getpeername(int(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) continue;  // not a connected socket
        if (port_of(peer) != remote_port) continue;
        if (getsockname(int(fd), reinterpret_cast<sockaddr*>(&self), &self_len) != 0 || port_of(self) != local_port) continue;
        if (host_of(peer, peer_len) != remote_addr) continue;
        found = int(fd);
        break;
    }
    closedir(dir);
    return found;
}

bool client_has_left(int fd) {
    if (fd < 0) return false;
    pollfd p{fd, POLLIN, 0};
    const int n = ::poll(&p, 1, 0);
    if (n <= 0) return false;  // nothing pending (or EINTR): still there
    if (p.revents & (POLLERR | POLLNVAL)) return true;
    if (p.revents & (POLLIN | POLLHUP)) {
        char c;
        const ssize_t r = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
        if (r == 0) return true;  // orderly close
        if (r < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    }
    return false;
}

}  // namespace holo::server
