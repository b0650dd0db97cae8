// `holo list [--models DIR]`: the models in the local store, like `ollama list`.
#include <cstdio>

#include "cli/command.h"
#include "cli/model_args.h"
#include "server/model_store.h"

namespace holo::cli {
namespace {

std::string human_bytes(uint64_t b) {
    char buf[32];
    if (b >= (uint64_t(1) << 30)) std::snprintf(buf, sizeof buf, "%.1f GB", double(b) / double(uint64_t(1) << 30));
    else if (b >= (uint64_t(1) << 20)) std::snprintf(buf, sizeof buf, "%.1f MB", double(b) / double(uint64_t(1) << 20));
    else std::snprintf(buf, sizeof buf, "%.1f KB", double(b) / 1024.0);
    return buf;
}

}  // namespace

static std::function<int()> setup_list(CLI::App& app) {
    auto dir = std::make_shared<std::string>();
    app.add_option("--models", *dir, "model store directory (default ~/.holobiont/models)");
    return [dir] {
        server::model_store store(dir->empty() ? server::model_store::default_dir() : *dir);
        auto all = store.list();
        std::printf("%-40s %-14s %10s\n", "NAME", "ID", "SIZE");
        for (const auto& e : all) {
            std::printf("%-40s %-14s %10s\n", e.name.str().c_str(), e.digest.substr(7, 12).c_str(),
                        human_bytes(e.size).c_str());
        }
        return 0;
    };
}

HOLO_COMMAND("list", "list the models in the local store", setup_list);

}  // namespace holo::cli
