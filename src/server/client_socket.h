// Whether a request's client is still connected. cpp-httplib 0.11 notices a client
// that left only when a write to it fails (one or two tokens late, and never while
// the request waits in the queue); the engine asks between decode steps instead
// (task_channel::client_left), so a stream whose client went away frees its slot at
// the first step boundary after the disconnect.
#pragma once

#include <string>

namespace holo::server {

// The socket of this process connected to remote_addr:remote_port on local_port
// (as cpp-httplib's Request reports them); -1 when there is none. It scans the
// process's open descriptors: cpp-httplib 0.11 does not tell handlers their socket.
int find_client_socket(const std::string& remote_addr, int remote_port, int local_port);

// True when the peer closed (end of stream) or reset the connection. Unread bytes
// (a pipelined next request) count as present. Like Go's net/http (Ollama), a client
// that only half-closes its side after sending the request counts as gone.
bool client_has_left(int fd);

}  // namespace holo::server
