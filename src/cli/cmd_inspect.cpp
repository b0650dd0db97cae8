// `holo inspect MODEL [--json]`: metadata, tensor table, bytes by role and active
// bytes per decoded token (model/model_stats.h), read from the GGUF file directly.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command.h"
#include "gguf/gguf_file.h"
#include "model/model_stats.h"

namespace {

constexpr holo::weight_role k_roles[] = {
    holo::weight_role::embedding, holo::weight_role::attention,     holo::weight_role::norm,
    holo::weight_role::router,    holo::weight_role::dense_ffn,     holo::weight_role::shared_expert,
    holo::weight_role::routed_expert, holo::weight_role::output,
};

std::string shape_text(const std::vector<int64_t>& ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) s += (i ? ", " : "") + std::to_string(ne[i]);
    return s + "]";
}

std::string human(uint64_t b) {
    char buf[32];
    if (b >= 1000000000ull) std::snprintf(buf, sizeof buf, "%.2f GB", b / 1e9);
    else if (b >= 1000000ull) std::snprintf(buf, sizeof buf, "%.2f MB", b / 1e6);
    else if (b >= 1000ull) std::snprintf(buf, sizeof buf, "%.2f kB", b / 1e3);
    else std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
    return buf;
}

nlohmann::json to_json(const holo::model_stats& s, const std::string& path) {
    nlohmann::json j;
    j["file"] = path;
    j["file_bytes"] = s.file_bytes;
    j["architecture"] = s.architecture;
    j["name"] = s.name;
    if (s.file_type) j["file_type"] = *s.file_type;
    j["hparams"] = {{"n_vocab", s.n_vocab}, {"n_ctx_train", s.n_ctx_train}, {"n_embd", s.n_embd},
                    {"n_layer", s.n_layer}, {"n_head", s.n_head}, {"n_head_kv", s.n_head_kv},
                    {"n_ff", s.n_ff}, {"n_expert", s.n_expert}, {"n_expert_used", s.n_expert_used},
                    {"n_ff_exp", s.n_ff_exp}, {"n_ff_shexp", s.n_ff_shexp}};
    nlohmann::json tensors = nlohmann::json::array();
    for (const holo::stats_tensor& t : s.tensors) {
        tensors.push_back({{"name", t.name}, {"type", std::string(holo::type_name(t.type))}, {"shape", t.ne},
                           {"bytes", t.n_bytes}, {"role", t.role ? holo::role_name(*t.role) : "unknown"}});
    }
    j["tensors"] = tensors;
    nlohmann::json roles;
    for (holo::weight_role r : k_roles) roles[holo::role_name(r)] = s.role_bytes(r);
    roles["unknown"] = s.bytes_unknown_role;
    j["bytes_by_role"] = roles;
    j["total_tensor_bytes"] = s.total_tensor_bytes;
    j["n_params"] = s.n_params;
    j["tied_embeddings"] = s.tied_embeddings;
    j["experts"] = {{"count", s.n_expert}, {"used", s.n_expert_used}, {"bytes_per_expert", s.expert_bytes},
                    {"routed_bytes", s.role_bytes(holo::weight_role::routed_expert)}};
    j["active_bytes_per_token"] = s.active_bytes;
    j["active_params_per_token"] = s.active_params;
    return j;
}

void print_text(const holo::model_stats& s, const std::string& path, bool tensors) {
    std::printf("file: %s (%s, %llu bytes)\n", path.c_str(), human(s.file_bytes).c_str(),
                static_cast<unsigned long long>(s.file_bytes));
    std::printf("architecture: %s   name: %s\n", s.architecture.c_str(), s.name.c_str());
    std::printf("hyper-parameters: n_vocab %llu, n_ctx_train %llu, n_embd %llu, n_layer %llu, n_head %llu, "
                "n_head_kv %llu, n_ff %llu",
                (unsigned long long)s.n_vocab, (unsigned long long)s.n_ctx_train, (unsigned long long)s.n_embd,
                (unsigned long long)s.n_layer, (unsigned long long)s.n_head, (unsigned long long)s.n_head_kv,
                (unsigned long long)s.n_ff);
    if (s.n_expert) {
        std::printf(", n_expert %llu, n_expert_used %llu, n_ff_exp %llu", (unsigned long long)s.n_expert,
                    (unsigned long long)s.n_expert_used, (unsigned long long)s.n_ff_exp);
    }
    if (s.n_ff_shexp) std::printf(", n_ff_shexp %llu", (unsigned long long)s.n_ff_shexp);
    std::printf("\n");
    if (tensors) {
        std::printf("\n%-34s %-6s %-22s %14s  %s\n", "tensor", "type", "shape", "bytes", "role");
        for (const holo::stats_tensor& t : s.tensors) {
            std::printf("%-34s %-6s %-22s %14llu  %s\n", t.name.c_str(), std::string(holo::type_name(t.type)).c_str(),
                        shape_text(t.ne).c_str(), (unsigned long long)t.n_bytes,
                        t.role ? holo::role_name(*t.role) : "unknown");
        }
    }
    std::printf("\nbytes by role:\n");
    for (holo::weight_role r : k_roles) {
        uint64_t b = s.role_bytes(r);
        if (!b) continue;
        std::printf("  %-14s %14llu  %10s  %5.1f%%\n", holo::role_name(r), (unsigned long long)b, human(b).c_str(),
                    100.0 * b / std::max<uint64_t>(1, s.total_tensor_bytes));
    }
    if (s.bytes_unknown_role) std::printf("  %-14s %14llu\n", "unknown", (unsigned long long)s.bytes_unknown_role);
    std::printf("  %-14s %14llu  %10s  (%llu parameters)\n", "total", (unsigned long long)s.total_tensor_bytes,
                human(s.total_tensor_bytes).c_str(), (unsigned long long)s.n_params);
    if (s.n_expert) {
        std::printf("\nexperts: %llu per MoE layer, %llu used per token; one expert (gate+up+down, one layer) %s\n",
                    (unsigned long long)s.n_expert, (unsigned long long)s.n_expert_used, human(s.expert_bytes).c_str());
    }
    std::printf("\nactive bytes per decoded token: %llu (%s, %.1f%% of the weights; %llu parameters)\n",
                (unsigned long long)s.active_bytes, human(s.active_bytes).c_str(),
                100.0 * s.active_bytes / std::max<uint64_t>(1, s.total_tensor_bytes),
                (unsigned long long)s.active_params);
    std::printf("  = all non-expert weights%s + %llu/%llu of the routed experts\n",
                s.tied_embeddings ? " (token_embd in full: it is also the lm head)" : " except token_embd (one row)",
                (unsigned long long)s.n_expert_used, (unsigned long long)s.n_expert);
}

std::function<int()> setup(CLI::App& app) {
    struct flags {
        std::string path;
        bool json = false;
        bool summary = false;
    };
    auto f = std::make_shared<flags>();
    app.add_option("model", f->path, "GGUF file")->required();
    app.add_flag("--json", f->json, "machine-readable output");
    app.add_flag("--summary", f->summary, "skip the tensor table");
    return [f]() -> int {
        auto file = holo::gguf_file::open(f->path);
        if (!file) {
            std::fprintf(stderr, "holo inspect: %s\n", file.message().c_str());
            return 1;
        }
        auto s = holo::compute_model_stats(*file);
        if (!s) {
            std::fprintf(stderr, "holo inspect: %s\n", s.message().c_str());
            return 1;
        }
        if (f->json) std::printf("%s\n", to_json(*s, f->path).dump(2).c_str());
        else print_text(*s, f->path, !f->summary);
        return 0;
    };
}

}  // namespace

HOLO_COMMAND("inspect", "metadata, tensors, bytes by role, active bytes per token", setup);
