// The `auto` virtual model of `holo serve --rules`: for each request that names it,
// probe the device, run the selector (with hysteresis), rewrite the request to the
// chosen model (adding the rule's system prompt), and hand back the response
// headers that name the model and rule. The engine resolves the rewritten name as
// for any other request, so a switch happens between requests, never mid-stream.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "policy/device_state.h"
#include "policy/selector.h"
#include "server/request.h"

namespace holo::server {
struct server_context;
}

namespace holo::policy {

using header_list = std::vector<std::pair<std::string, std::string>>;

struct auto_route_options {
    std::string rules_path;
    probe_options probe;
    std::string auto_name;             // empty: the rules file's auto_name (default "auto")
    bool log = true;                   // one line per routed request on stderr
};

class auto_router {
public:
    auto_router(rules_config cfg, auto_route_options opt);

    // Requests for other models pass through untouched (empty header list).
    // `tags`: the X-Holobiont-Tags header (comma-separated); `load`: busy + queued requests.
    result<header_list> route(server::gen_request& req, const std::string& tags, int64_t load);

    const std::string& auto_name() const { return auto_name_; }
    // The last decision, for tests and logs.
    decision last() const;

private:
    selector sel_;
    auto_route_options opt_;
    std::string auto_name_;
    mutable std::mutex last_mutex_;
    decision last_;
};

// Rough token count (bytes / 4) of the request's text: the router runs before
// any model is loaded, so it has no tokenizer.
int64_t estimate_prompt_tokens(const server::gen_request& req);
std::vector<std::string> split_tags(const std::string& header);
// Adds the system prompt unless the request brings its own.
void apply_system_prompt(server::gen_request& req, const std::string& prompt);

// Loads the rules and sets ctx.route, which the generation handlers call before
// they resolve a model name (policy/auto_route_install.cpp).
result<std::shared_ptr<auto_router>> install_auto_route(server::server_context& ctx, const auto_route_options& opt);

}  // namespace holo::policy
