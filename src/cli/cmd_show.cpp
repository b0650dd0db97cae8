// `holo show MODEL [--models DIR] [--json]`: architecture, parameters,
// quantization, context and template of a store model or a GGUF file.
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/model_args.h"
#include "server/model_info.h"
#include "server/model_store.h"

namespace holo::cli {

static std::function<int()> setup_show(CLI::App& app) {
    struct args {
        std::string model, dir;
        bool json = false;
    };
    auto a = std::make_shared<args>();
    app.add_option("model", a->model, "store name or GGUF file")->required();
    app.add_option("--models", a->dir, "model store directory (default ~/.holobiont/models)");
    app.add_flag("--json", a->json, "print JSON (Ollama's /api/show fields)");
    return [a] {
        std::string path = a->model, digest;
        std::error_code ec;
        if (!std::filesystem::is_regular_file(a->model, ec)) {
            server::model_store store(a->dir.empty() ? server::model_store::default_dir() : a->dir);
            auto e = store.resolve(a->model);
            if (!e.ok()) return fail("show", e.message());
            path = e->blob_path;
            digest = e->digest;
        }
        auto d = server::read_model_details(path);
        if (!d.ok()) return fail("show", d.message());
        if (a->json) {
            nlohmann::json j = {{"details", server::details_json(d.value())},
                                {"model_info", d->model_info},
                                {"template", d->chat_template},
                                {"digest", digest}};
            std::printf("%s\n", j.dump(2).c_str());
            return 0;
        }
        std::printf("  architecture    %s\n", d->architecture.c_str());
        if (!d->display_name.empty()) std::printf("  name            %s\n", d->display_name.c_str());
        std::printf("  parameters      %s\n", d->parameter_size.c_str());
        std::printf("  quantization    %s\n", d->quantization_level.c_str());
        std::printf("  context length  %llu\n", (unsigned long long)d->n_ctx_train);
        if (d->n_expert) {
            std::printf("  experts         %llu (%llu used per token)\n", (unsigned long long)d->n_expert,
                        (unsigned long long)d->n_expert_used);
        }
        std::printf("  chat template   %s\n", d->chat_template.empty() ? "(none: a built-in is used)" : "from the file");
        if (!digest.empty()) std::printf("  digest          %s\n", digest.c_str());
        return 0;
    };
}

HOLO_COMMAND("show", "show a model's details (store name or GGUF file)", setup_show);

}  // namespace holo::cli
