// `holo pull SOURCE [--name NAME] [--digest sha256:...]`: adds a GGUF to the store
// from an http(s) URL (resumable, size-capped, no redirects) or a local path.
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "cli/model_args.h"
#include "core/progress.h"
#include "server/pull.h"

namespace holo::cli {

static std::function<int()> setup_pull(CLI::App& app) {
    struct args {
        std::string source, dir;
        server::pull_options po;
        uint64_t max_gib = 512;
    };
    auto a = std::make_shared<args>();
    app.add_option("source", a->source, "http(s) URL or path of a GGUF file")->required();
    app.add_option("--name", a->po.name, "store name (default: from the file name)");
    app.add_option("--digest", a->po.expected_digest, "expected sha256:<hex> of the file");
    app.add_option("--max-gib", a->max_gib, "refuse downloads larger than this many GiB (default 512)");
    app.add_option("--models", a->dir, "model store directory (default ~/.holobiont/models)");
    return [a] {
        server::model_store store(a->dir.empty() ? server::model_store::default_dir() : a->dir);
        a->po.max_bytes = a->max_gib << 30;
        std::unique_ptr<progress_bar> bar;
        std::string bar_status;
        a->po.on_progress = [&](const server::pull_progress& p) {
            if (p.total && (!bar || bar_status != p.status)) {
                if (bar) bar->finish();
                bar = std::make_unique<progress_bar>(p.status, p.total, progress_bar::stderr_is_terminal());
                bar_status = p.status;
            }
            if (bar && p.completed > bar->done()) bar->add(p.completed - bar->done());
            return true;
        };
        auto e = server::pull_model(store, a->source, a->po);
        if (bar) bar->finish();
        if (!e.ok()) return fail("pull", e.message());
        std::printf("pulled %s (%s, %llu bytes)\n", e->name.str().c_str(), e->digest.c_str(),
                    (unsigned long long)e->size);
        return 0;
    };
}

HOLO_COMMAND("pull", "add a GGUF to the local store from a URL or a local path", setup_pull);

}  // namespace holo::cli
