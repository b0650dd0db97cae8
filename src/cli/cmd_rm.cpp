// `holo rm NAME... [--models DIR]`: removes names from the store (and blobs no
// other name uses).
#include <cstdio>

#include "cli/command.h"
#include "cli/model_args.h"
#include "server/model_store.h"

namespace holo::cli {

static std::function<int()> setup_rm(CLI::App& app) {
    auto dir = std::make_shared<std::string>();
    auto names = std::make_shared<std::vector<std::string>>();
    app.add_option("names", *names, "model names")->required();
    app.add_option("--models", *dir, "model store directory (default ~/.holobiont/models)");
    return [dir, names] {
        server::model_store store(dir->empty() ? server::model_store::default_dir() : *dir);
        int rc = 0;
        for (const auto& n : *names) {
            auto r = store.remove(n);
            if (!r.ok()) rc = fail("rm", r.message());
            else std::printf("deleted '%s'\n", n.c_str());
        }
        return rc;
    };
}

HOLO_COMMAND("rm", "remove models from the local store", setup_rm);

}  // namespace holo::cli
