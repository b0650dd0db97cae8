// Plugs the auto router into `holo serve`: loads the rules and sets the server
// context's route hook, which the generation handlers call once per request
// before they resolve the model name.
#include <httplib.h>

#include "policy/auto_route.h"
#include "server/server_context.h"

namespace holo::policy {

result<std::shared_ptr<auto_router>> install_auto_route(server::server_context& ctx, const auto_route_options& opt) {
    auto cfg = load_rules(opt.rules_path);
    if (!cfg.ok()) return cfg.err();
    auto router = std::make_shared<auto_router>(std::move(cfg.value()), opt);
    server::metrics* stats = &ctx.stats;
    ctx.route = [router, stats](server::gen_request& r, const httplib::Request& req, httplib::Response& res) {
        const int64_t load = stats->slots_busy.load() + stats->queue_depth.load();
        auto h = router->route(r, req.get_header_value("X-Holobiont-Tags"), load);
        if (!h.ok()) return;  // route() has no failure today; an error would leave the request as it was
        for (const auto& [k, v] : h.value()) res.set_header(k, v);
    };
    return router;
}

}  // namespace holo::policy
