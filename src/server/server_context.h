// What the route handlers share: the configuration, counters, the engine they
// submit to, the model store, and the model given on the command line. Handlers
// run on HTTP threads; everything here is safe to use from them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "server/engine.h"
#include "server/metrics.h"
#include "server/model_store.h"

namespace httplib {
struct Request;
struct Response;
}

namespace holo::server {

struct server_config {
    std::string host = "127.0.0.1";
    int port = 11434;                   // 0: any free port (tests)
    std::string api_key;                // empty: no key needed
    size_t max_body_bytes = size_t(8) << 20;
    std::vector<std::string> allowed_origins;  // CORS, exact "scheme://host:port"; empty: closed
    std::string models_dir;
    std::string model_path;             // served without being in the store (optional)
    int n_http_threads = 0;             // 0: slots + queue + headroom
    engine_options engine;
};

struct server_context {
    explicit server_context(const server_config& c)
        : cfg(c), eng(c.engine, stats), store(c.models_dir) {}

    server_config cfg;
    metrics stats;
    engine eng;
    model_store store;
    std::optional<model_ref> served;  // from --model / the positional MODEL
    int64_t started_unix = 0;
    // `holo serve --rules` (policy/auto_route.h): rewrites a request for the virtual
    // model `auto` to the model the rules choose and adds headers naming it. Unset: off.
    std::function<void(gen_request&, const httplib::Request&, httplib::Response&)> route;

    // A request's model name → the file to load. Empty names mean the served model
    // when there is one. Errors: 404 "model 'x' not found", 400 for bad names.
    result<model_ref> resolve(const std::string& name, int* status) const;
    // Every model a client can ask for (served + store), for /v1/models and /api/tags.
    std::vector<model_ref> all_models() const;
};

}  // namespace holo::server
