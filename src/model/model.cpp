#include "model/model.h"

#include "model/archs/arch.h"
#include "model/weight_binder.h"

namespace holo {

std::string supported_archs() {
    std::string s;
    for (const arch_def* a : all_archs()) s += (s.empty() ? "" : ", ") + std::string(a->name);
    return s;
}

result<std::shared_ptr<const model>> load_model(const std::string& path, const model_load_options& opts) {
    auto file = gguf_file::open(path);
    if (!file) return file.err();
    auto arch_name = file->get_string("general.architecture");
    if (!arch_name) return arch_name.err();
    if (!arch_name.value()) return error{path + ": metadata key 'general.architecture' is missing"};
    const arch_def* arch = nullptr;
    for (const arch_def* a : all_archs())
        if (*arch_name.value() == a->name) arch = a;
    if (!arch)
        return error{path + ": architecture '" + *arch_name.value() + "' is not supported (supported: " +
                     supported_archs() + ")"};

    auto hp = read_common_hparams(file.value(), *arch_name.value());
    if (!hp) return hp.err();
    // Phase 1 (metadata) is done; phase 2 binds views into the map without reading data.
    std::shared_ptr<model> m(new model(std::move(file).value()));
    m->hp_ = std::move(hp).value();
    auto cfg = arch->configure(m->file_, m->hp_, m->plan_);
    if (!cfg) return error{cfg.message().starts_with(path) ? cfg.message() : path + ": " + cfg.message()};
    if (m->hp_.n_expert > 0 && (m->hp_.n_expert_used <= 0 || m->hp_.n_expert_used > m->hp_.n_expert))
        return error{path + ": expert_used_count must be in [1, expert_count]"};
    m->layers_.resize(size_t(m->hp_.n_layer));
    weight_binder b(*m);
    arch->bind(b);
    if (!b.ok()) return b.err();
    if (opts.mlock) HOLO_TRY(m->file_.lock_in_memory());
    return std::shared_ptr<const model>(std::move(m));
}

}  // namespace holo
