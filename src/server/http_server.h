// `holo serve`'s HTTP side on cpp-httplib: binds, applies the checks every request
// goes through (Host header when bound to loopback, Origin, API key, body size,
// CORS), registers the OpenAI, Ollama and common routes, and sizes the
// connection thread pool for slots + queued streams + headroom so /health keeps
// answering while every slot streams.
#pragma once

#include <memory>
#include <string>

#include "core/error.h"
#include "server/server_context.h"

namespace httplib {
class Server;
}

namespace holo::server {

class http_server {
public:
    explicit http_server(const server_config& cfg);
    ~http_server();

    server_context& context() { return *ctx_; }

    // Binds the socket (port 0 picks a free one; see port()).
    result<void> bind();
    int port() const { return port_; }
    // Serves until stop() (from another thread or a signal handler thread).
    void listen();
    void stop();

private:
    std::unique_ptr<server_context> ctx_;
    std::unique_ptr<httplib::Server> svr_;
    int port_ = 0;
};

// The request checks, exposed for tests. Empty string: allowed; else why not.
bool is_loopback_host(const std::string& bind_host);
std::string check_host_header(const std::string& bind_host, const std::string& host_header);
std::string check_origin(const server_config& cfg, const std::string& origin, const std::string& host_header);
bool api_key_matches(const std::string& expected, const std::string& authorization_header);

}  // namespace holo::server
