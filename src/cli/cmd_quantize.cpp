// `holo quantize IN OUT --type T`: re-quantizes a GGUF file (model/requantize.h).
#include <cstdio>

#include "cli/command.h"
#include "model/requantize.h"

namespace {

struct quantize_flags {
    holo::requantize_options opt;
    holo::role_type_names roles;
    bool quiet = false;
};

std::function<int()> setup(CLI::App& app) {
    auto f = std::make_shared<quantize_flags>();
    app.add_option("input", f->opt.input_path, "input GGUF file")->required();
    app.add_option("output", f->opt.output_path, "output GGUF file")->required();
    app.add_option("--type", f->opt.type, "type mix: " + holo::type_mix_names())->required();
    app.add_option("--attn", f->roles.attention, "type of attention projections (overrides the mix)");
    app.add_option("--shared", f->roles.shared_expert, "type of shared-expert tensors");
    app.add_option("--experts", f->roles.routed_expert, "type of routed-expert tensors");
    app.add_option("--embed", f->roles.embedding, "type of the token embedding");
    app.add_option("--output", f->roles.output, "type of the output (lm head) tensor");
    app.add_option("-t,--threads", f->opt.n_threads, "threads (default: all)");
    app.add_flag("-q,--quiet", f->quiet, "no progress bar, no summary");
    return [f]() -> int {
        auto roles = holo::parse_role_types(f->roles);
        if (!roles) {
            std::fprintf(stderr, "holo quantize: %s\n", roles.message().c_str());
            return 2;
        }
        f->opt.overrides = *roles;
        f->opt.progress = !f->quiet;
        auto r = holo::requantize_model(f->opt);
        if (!r) {
            std::fprintf(stderr, "holo quantize: %s\n", r.message().c_str());
            return 1;
        }
        if (!f->quiet) {
            std::fprintf(stderr, "wrote %s: %zu tensors (%zu converted), %.3f GB -> %.3f GB in %.1f s\n",
                         f->opt.output_path.c_str(), r->n_tensors, r->n_converted, r->input_bytes / 1e9,
                         r->output_bytes / 1e9, r->seconds);
        }
        return 0;
    };
}

}  // namespace

HOLO_COMMAND("quantize", "re-quantize a GGUF file to a type mix, with per-role overrides", setup);
