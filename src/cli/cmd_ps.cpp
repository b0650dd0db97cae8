// `holo ps [--host H] [--port P]`: the models a running `holo serve` has loaded
// (asks its /api/ps, like `ollama ps`).
#include <httplib.h>

#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/model_args.h"

namespace holo::cli {

static std::function<int()> setup_ps(CLI::App& app) {
    struct args {
        std::string host = "127.0.0.1";
        int port = 11434;
        std::string api_key;
    };
    auto a = std::make_shared<args>();
    app.add_option("--host", a->host, "server address (default 127.0.0.1)");
    app.add_option("--port", a->port, "server port (default 11434)");
    app.add_option("--api-key", a->api_key, "API key (or HOLO_API_KEY)");
    return [a] {
        if (a->api_key.empty()) {
            if (const char* k = std::getenv("HOLO_API_KEY")) a->api_key = k;
        }
        httplib::Client cli(a->host, a->port);
        cli.set_connection_timeout(5, 0);
        cli.set_read_timeout(10, 0);
        httplib::Headers h;
        if (!a->api_key.empty()) h.emplace("Authorization", "Bearer " + a->api_key);
        auto res = cli.Get("/api/ps", h);
        if (!res) return fail("ps", "no server answers at " + a->host + ":" + std::to_string(a->port));
        if (res->status != 200) return fail("ps", "the server answered " + std::to_string(res->status) + ": " + res->body);
        auto j = nlohmann::json::parse(res->body, nullptr, false);
        if (j.is_discarded() || !j.contains("models")) return fail("ps", "unexpected answer: " + res->body.substr(0, 200));
        std::printf("%-40s %-8s %-6s %-10s %s\n", "NAME", "CONTEXT", "SLOTS", "BUSY", "UNTIL");
        for (const auto& m : j["models"]) {
            std::printf("%-40s %-8lld %-6d %-10d %s\n", m.value("name", "").c_str(), (long long)m.value("context_length", 0),
                        m.value("slots", 0), m.value("slots_busy", 0), m.value("expires_at", "").c_str());
        }
        return 0;
    };
}

HOLO_COMMAND("ps", "list the models a running server has loaded", setup_ps);

}  // namespace holo::cli
