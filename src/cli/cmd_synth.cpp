// `holo synth`: writes a random-weight GGUF with a real model's shapes (model/synth.h).
#include <cstdio>

#include "cli/command.h"
#include "model/presets.h"
#include "model/synth.h"

namespace {

struct synth_flags {
    holo::synth_options opt;
    holo::role_type_names roles;
    int64_t n_layer = 0;
    bool quiet = false;
};

std::function<int()> setup(CLI::App& app) {
    auto f = std::make_shared<synth_flags>();
    app.add_option("--preset", f->opt.preset, "architecture preset: " + holo::preset_names())->required();
    app.add_option("-o", f->opt.output_path, "output GGUF file")->required();
    app.add_option("--type", f->opt.type, "type mix: " + holo::type_mix_names() + " (default f16)");
    app.add_option("--attn", f->roles.attention, "type of attention projections (overrides the mix)");
    app.add_option("--shared", f->roles.shared_expert, "type of shared-expert tensors");
    app.add_option("--experts", f->roles.routed_expert, "type of routed-expert tensors");
    app.add_option("--embed", f->roles.embedding, "type of the token embedding");
    app.add_option("--output", f->roles.output, "type of the output (lm head) tensor");
    app.add_option("--seed", f->opt.seed, "random seed (default 42)");
    app.add_option("--routing-skew", f->opt.routing_skew,
                   "Zipf exponent of expert popularity (0 = uniform, ~1 like trained routers)");
    app.add_option("--layers", f->n_layer, "override the preset's layer count");
    app.add_option("--row-pool", f->opt.row_pool,
                   "quantize N random rows per tensor once and draw every row from them (fast; values repeat)");
    app.add_option("-t,--threads", f->opt.n_threads, "threads (default: all)");
    app.add_flag("-q,--quiet", f->quiet, "no progress bar, no summary");
    return [f]() -> int {
        auto roles = holo::parse_role_types(f->roles);
        if (!roles) {
            std::fprintf(stderr, "holo synth: %s\n", roles.message().c_str());
            return 2;
        }
        f->opt.overrides = *roles;
        if (f->n_layer != 0) f->opt.n_layer = f->n_layer;
        f->opt.progress = !f->quiet;
        auto r = holo::write_synth_model(f->opt);
        if (!r) {
            std::fprintf(stderr, "holo synth: %s\n", r.message().c_str());
            return 1;
        }
        if (!f->quiet) {
            std::fprintf(stderr, "wrote %s: preset %s, %zu tensors, %.3f GB in %.1f s (peak buffer %.1f MB)\n",
                         f->opt.output_path.c_str(), r->preset.c_str(), r->n_tensors, r->file_bytes / 1e9,
                         r->seconds, r->peak_buffer_bytes / 1e6);
        }
        return 0;
    };
}

}  // namespace

HOLO_COMMAND("synth", "write a random-weight GGUF with a real model's shapes", setup);
