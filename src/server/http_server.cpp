#include "server/http_server.h"

#include <algorithm>
#include <cstdlib>

#include <malloc.h>
#include <sys/socket.h>

#include "server/connection_pool.h"
#include "server/http_util.h"
#include "server/routes.h"

namespace holo::server {

// cpp-httplib 0.11 listens with a backlog of 5 (compiled into Debian's library):
// a burst of clients overflows it and some connections get reset. Listening again
// on the bound socket raises the backlog (Linux allows it).
class backlog_server : public httplib::Server {
public:
    void raise_backlog(int n) { ::listen(svr_sock_.load(), n); }
};

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// "host:port" / "[v6]:port" / "host" → host (lower case, brackets kept for v6).
std::string host_part(const std::string& authority) {
    std::string a = lower(authority);
    if (!a.empty() && a[0] == '[') {
        const size_t close = a.find(']');
        return close == std::string::npos ? a : a.substr(0, close + 1);
    }
    const size_t colon = a.find(':');
    return colon == std::string::npos ? a : a.substr(0, colon);
}

bool is_loopback_name(const std::string& h) {
    return h == "localhost" || h == "127.0.0.1" || h == "[::1]" || h == "::1" || h.rfind("127.", 0) == 0;
}

}  // namespace

bool is_loopback_host(const std::string& bind_host) { return is_loopback_name(lower(bind_host)); }

std::string check_host_header(const std::string& bind_host, const std::string& host_header) {
    if (!is_loopback_host(bind_host) || host_header.empty()) return {};
    const std::string h = host_part(host_header);
    // Only names that mean this machine: a page on some other name resolving to
    // 127.0.0.1 is DNS rebinding (Ollama CVE-2024-28224).
    if (h == "localhost" || h == "127.0.0.1" || h == "[::1]") return {};
    return "the Host header \"" + host_header + "\" is not allowed for a server bound to " + bind_host +
           " (use localhost or 127.0.0.1)";
}

std::string check_origin(const server_config& cfg, const std::string& origin, const std::string& host_header) {
    if (origin.empty()) return {};
    for (const auto& o : cfg.allowed_origins) {
        if (o == "*" || lower(o) == lower(origin)) return {};
    }
    // Same origin: the page this server serves, on whatever name the Host check let through.
    std::string authority = lower(origin);
    for (const char* scheme : {"http://", "https://"}) {
        if (authority.rfind(scheme, 0) == 0) authority = authority.substr(std::string(scheme).size());
    }
    if (!host_header.empty() && authority == lower(host_header)) return {};
    if (is_loopback_host(cfg.host) && is_loopback_name(host_part(authority)) &&
        (host_part(authority) == "localhost" || host_part(authority) == "127.0.0.1" || host_part(authority) == "[::1]")) {
        return {};
    }
    return "requests from the web origin \"" + origin + "\" are not allowed (see --allow-origin)";
}

bool api_key_matches(const std::string& expected, const std::string& authorization) {
    const std::string prefix = "Bearer ";
    if (authorization.size() < prefix.size() || authorization.compare(0, prefix.size(), prefix) != 0) return false;
    const std::string got = authorization.substr(prefix.size());
    // Constant time in the key's length: no early exit on the first differing byte.
    unsigned diff = got.size() == expected.size() ? 0u : 1u;
    for (size_t i = 0; i < expected.size(); ++i) diff |= unsigned(uint8_t(expected[i]) ^ uint8_t(i < got.size() ? got[i] : 0));
    return diff == 0;
}

std::optional<std::pair<int, std::string>> access_refusal(const server_context& ctx, const httplib::Request& req,
                                                         bool check_key) {
    const std::string host = req.get_header_value("Host");
    if (std::string why = check_host_header(ctx.cfg.host, host); !why.empty()) return std::make_pair(403, why);
    if (std::string why = check_origin(ctx.cfg, req.get_header_value("Origin"), host); !why.empty()) {
        return std::make_pair(403, why);
    }
    // The key guards every route but the liveness probe and the static page
    // (which holds no data and asks for the key itself).
    const bool open_route = req.path == "/health" || (req.path == "/" && req.method == "GET");
    if (check_key && !ctx.cfg.api_key.empty() && !open_route &&
        !api_key_matches(ctx.cfg.api_key, req.get_header_value("Authorization"))) {
        return std::make_pair(401, std::string("missing or wrong API key (send Authorization: Bearer KEY)"));
    }
    return std::nullopt;
}

http_server::http_server(const server_config& cfg)
    : ctx_(std::make_unique<server_context>(cfg)), svr_(std::make_unique<backlog_server>()) {
    ctx_->started_unix = unix_now();
    // glibc gives threads that allocate at the same moment arenas of their own, up to
    // 8 per core, and keeps each one's top (~170 KB) after a burst of connections
    // even through malloc_trim: RSS then stays a few MB above idle. Two arenas keep
    // it flat (docs/server.md, "Load"). MALLOC_ARENA_MAX overrides.
    if (!std::getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 2);
    server_context& ctx = *ctx_;
    httplib::Server& svr = *svr_;

    // Slots + every queued request may hold a connection thread while it streams;
    // the headroom keeps /health, /metrics and refusals (503) answering. Threads
    // start on demand and end after 2 s idle, so a burst leaves nothing behind.
    size_t n_threads = cfg.n_http_threads > 0 ? size_t(cfg.n_http_threads)
                                              : size_t(cfg.engine.n_parallel) * size_t(std::max(1, cfg.engine.max_loaded_models)) +
                                                    cfg.engine.max_queue + 16;
    svr.new_task_queue = [n_threads, &ctx] {
        return new connection_pool(n_threads, std::chrono::seconds(2), [&ctx](size_t threads, size_t busy) {
            ctx.stats.http_threads = int64_t(threads);
            ctx.stats.http_threads_busy = int64_t(busy);
        });
    };
    svr.set_payload_max_length(cfg.max_body_bytes);
    svr.set_read_timeout(30, 0);
    svr.set_write_timeout(30, 0);
    svr.set_keep_alive_timeout(5);
    svr.set_tcp_nodelay(true);

    svr.set_pre_routing_handler([&ctx](const httplib::Request& req, httplib::Response& res) {
        const api_style style = style_for_path(req.path);
        auto refuse = [&](int status, const std::string& why) {
            send_error(res, style, status, why);
            res.set_header("Connection", "close");
            return httplib::Server::HandlerResponse::Handled;
        };
        // Body limits, before the body is read. cpp-httplib 0.11 caps Content-Length
        // bodies only, so chunked request bodies are refused outright.
        if (req.has_header("Transfer-Encoding")) {
            return refuse(411, "chunked request bodies are not accepted; send Content-Length");
        }
        const std::string cl = req.get_header_value("Content-Length");
        if (!cl.empty()) {
            char* end = nullptr;
            const unsigned long long n = std::strtoull(cl.c_str(), &end, 10);
            if (*end != '\0' || n > ctx.cfg.max_body_bytes) {
                return refuse(413, "the request body is too large (at most " + std::to_string(ctx.cfg.max_body_bytes) +
                                       " bytes)");
            }
        }
        const std::string origin = req.get_header_value("Origin");
        const bool cors = !origin.empty() && !ctx.cfg.allowed_origins.empty() &&
                          check_origin(ctx.cfg, origin, req.get_header_value("Host")).empty();
        if (cors) {
            res.set_header("Access-Control-Allow-Origin", origin);
            res.set_header("Vary", "Origin");
        }
        if (req.method == "OPTIONS") {
            if (auto r = access_refusal(ctx, req, false)) return refuse(r->first, r->second);
            if (!cors) return refuse(403, "cross-origin requests are not enabled (see --allow-origin)");
            res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
            res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
            res.set_header("Access-Control-Max-Age", "600");
            res.status = 204;
            return httplib::Server::HandlerResponse::Handled;
        }
        // A request without a body can be refused here. One with a body is checked by
        // guarded() once httplib has read it (at most --max-body bytes): answering
        // earlier would leave the body on a kept-alive connection, to be parsed as the
        // next request (httplib 0.11 ignores a response's Connection: close).
        if (cl.empty() || cl == "0") {
            if (auto r = access_refusal(ctx, req, true)) return refuse(r->first, r->second);
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });

    svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;  // a handler already explained
        const api_style style = style_for_path(req.path);
        if (res.status == 413) {
            send_error(res, style, 413, "the request body is too large");
        } else if (res.status == 404) {
            send_error(res, style, 404, "no such endpoint: " + req.method + " " + req.path.substr(0, 200));
        } else if (res.status == 405) {
            send_error(res, style, 405, "method not allowed");
        } else {
            send_error(res, style, res.status, "request failed");
        }
    });

    svr.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
            if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = std::string("internal error: ") + e.what();
        } catch (...) {
        }
        send_error(res, style_for_path(req.path), 500, what);
    });

    svr.set_logger([&ctx](const httplib::Request&, const httplib::Response& res) {
        ctx.stats.requests_total++;
        if (res.status >= 400 && res.status < 500) ctx.stats.requests_4xx++;
        if (res.status >= 500) ctx.stats.requests_5xx++;
    });

    register_common_routes(svr, ctx);
    register_openai_routes(svr, ctx);
    register_ollama_routes(svr, ctx);
}

http_server::~http_server() = default;

result<void> http_server::bind() {
    if (ctx_->cfg.port == 0) {
        port_ = svr_->bind_to_any_port(ctx_->cfg.host);
        if (port_ <= 0) return error{"cannot bind to " + ctx_->cfg.host + " (any port)"};
    } else {
        if (!svr_->bind_to_port(ctx_->cfg.host, ctx_->cfg.port)) {
            return error{"cannot bind to " + ctx_->cfg.host + ":" + std::to_string(ctx_->cfg.port) +
                         " (in use, or not an address of this machine)"};
        }
        port_ = ctx_->cfg.port;
    }
    static_cast<backlog_server&>(*svr_).raise_backlog(1024);
    return ok();
}

void http_server::listen() { svr_->listen_after_bind(); }

void http_server::stop() { svr_->stop(); }

}  // namespace holo::server
