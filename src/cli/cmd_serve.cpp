// `holo serve [MODEL]`: the Ollama (/api/*) and OpenAI (/v1/*) HTTP APIs, the web
// chat page at /, /health and /metrics. MODEL (a GGUF path or a store name) is
// served without being in the store; every store model loads on demand.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "cli/command.h"
#include "cli/default_model.h"
#include "cli/model_args.h"
#include "policy/auto_route.h"
#include "server/http_server.h"
#include "server/model_name.h"
#include "server/request.h"

namespace holo::cli {
namespace {

struct serve_args {
    std::string model;
    server::server_config cfg;
    std::string keep_alive = "5m";
    policy::auto_route_options route;  // --rules: the `auto` virtual model (docs/selection.md)
};

int serve(serve_args& a) {
    if (a.model.empty()) a.model = default_model_path();  // the embedded default model (holo train)
    auto& cfg = a.cfg;
    if (cfg.models_dir.empty()) cfg.models_dir = server::model_store::default_dir();
    if (cfg.api_key.empty()) {
        if (const char* k = std::getenv("HOLO_API_KEY"); k && *k) cfg.api_key = k;
    }
    if (cfg.engine.n_parallel < 1 || cfg.engine.n_parallel > 256) return fail("serve", "--parallel must be 1..256");
    if (cfg.engine.n_ctx < 0 || cfg.engine.n_ctx > (int64_t(1) << 20)) return fail("serve", "--ctx must be 0..1048576");
    if (cfg.engine.n_threads < 0 || cfg.engine.n_threads > 1024) return fail("serve", "--threads must be 0..1024");
    if (cfg.port < 0 || cfg.port > 65535) return fail("serve", "--port must be 0..65535");
    if (cfg.engine.n_threads == 0) cfg.engine.n_threads = default_threads();
    auto ka = server::parse_keep_alive(nlohmann::json(a.keep_alive));
    if (!ka.ok()) return fail("serve", "--keep-alive: " + ka.message());
    cfg.engine.default_keep_alive_s = ka.value();
    if (!server::is_loopback_host(cfg.host) && cfg.api_key.empty()) {
        std::fprintf(stderr, "holo serve: warning: listening on %s without --api-key; anyone who can reach it can use it\n",
                     cfg.host.c_str());
    }

    // Signals go to one thread that stops the server; block them before any thread starts.
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
    // A client that hangs up mid-stream must cost a failed write, not the process.
    signal(SIGPIPE, SIG_IGN);

    server::http_server srv(cfg);
    if (!a.route.rules_path.empty()) {
        auto r = policy::install_auto_route(srv.context(), a.route);
        if (!r.ok()) return fail("serve", r.message());
    }
    if (!a.model.empty()) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(a.model, ec)) {
            server::model_ref ref;
            ref.name = server::name_from_filename(a.model) + ":latest";
            ref.path = a.model;
            ref.size = std::filesystem::file_size(a.model, ec);
            srv.context().served = ref;
        } else {
            int status = 0;
            auto ref = srv.context().resolve(a.model, &status);
            if (!ref.ok()) return fail("serve", a.model + ": not a file, and " + ref.message());
            srv.context().served = ref.value();
        }
    }
    auto b = srv.bind();
    if (!b.ok()) return fail("serve", b.message());
    std::printf("holo serve: listening on http://%s:%d (%d slot%s per model%s)\n", cfg.host.c_str(), srv.port(),
                cfg.engine.n_parallel, cfg.engine.n_parallel == 1 ? "" : "s",
                srv.context().served ? (", model " + srv.context().served->name).c_str() : "");
    std::fflush(stdout);

    std::thread sig_thread([&] {
        int sig = 0;
        sigwait(&sigs, &sig);
        srv.stop();
    });
    srv.listen();
    // listen() can also return on its own (socket error): wake the signal thread.
    pthread_kill(sig_thread.native_handle(), SIGTERM);
    sig_thread.join();
    std::printf("holo serve: stopped\n");
    return 0;
}

}  // namespace

HOLO_COMMAND("serve", "serve the Ollama and OpenAI APIs and a web chat page over HTTP", [](CLI::App& app) {
    auto a = std::make_shared<serve_args>();
    app.add_option("model", a->model, "GGUF file or store name to serve (others in --models load on demand)");
    app.add_option("--host", a->cfg.host, "address to listen on (default 127.0.0.1)");
    app.add_option("--port", a->cfg.port, "port (default 11434, Ollama's; 0: any free port)");
    app.add_option("--parallel", a->cfg.engine.n_parallel, "slots per model: requests generated together (default 1)");
    app.add_option("-c,--ctx", a->cfg.engine.n_ctx, "context per slot (default: the model's, at most 4096)");
    app.add_option("-t,--threads", a->cfg.engine.n_threads, "threads per forward pass (default: all)");
    app.add_option("--models", a->cfg.models_dir, "model store directory (default ~/.holobiont/models)");
    app.add_option("--api-key", a->cfg.api_key, "require Authorization: Bearer KEY (or set HOLO_API_KEY)");
    app.add_option("--max-queue", a->cfg.engine.max_queue, "requests waiting for a slot before 503 (default 64)");
    app.add_option("--max-loaded-models", a->cfg.engine.max_loaded_models, "models in memory at once (default 1)");
    app.add_option("--keep-alive", a->keep_alive, "unload a model idle this long (default 5m; -1: never)");
    app.add_option("--max-body", a->cfg.max_body_bytes, "largest request body in bytes (default 8 MiB)");
    app.add_option("--allow-origin", a->cfg.allowed_origins, "web origin allowed cross-origin (repeatable; default none)");
    app.add_option("--batch", a->cfg.engine.n_batch, "prompt tokens per step (default 256)");
    app.add_option("--rules", a->route.rules_path, "model-selection rules: requests for model 'auto' are routed by them");
    app.add_option("--state-root", a->route.probe.root, "read the device state for --rules under this directory (default /)");
    app.add_option("--auto-name", a->route.auto_name, "the virtual model --rules answers (default: the file's, else auto)");
    return [a] { return serve(*a); };
});

}  // namespace holo::cli
