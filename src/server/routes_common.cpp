// /health, /metrics and the web page.
#include "server/http_util.h"
#include "server/routes.h"

namespace holo::server {

void register_common_routes(httplib::Server& svr, server_context& ctx) {
    svr.Get("/health", guarded(ctx, [&ctx](const httplib::Request&, httplib::Response& res) {
        // Answered on a connection thread without touching the engine: stays quick
        // while every slot is busy.
        send_json(res, 200, {{"status", "ok"}, {"queue_depth", ctx.stats.queue_depth.load()},
                             {"slots_busy", ctx.stats.slots_busy.load()}});
    }));
    svr.Get("/metrics", guarded(ctx, [&ctx](const httplib::Request&, httplib::Response& res) {
        res.set_content(render_metrics(ctx.stats), "text/plain; version=0.0.4");
    }));
    svr.Get("/", guarded(ctx, [](const httplib::Request&, httplib::Response& res) {
        res.set_header("Content-Security-Policy",
                       "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'");
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_content(web_page_html(), "text/html; charset=utf-8");
    }));
}

}  // namespace holo::server
