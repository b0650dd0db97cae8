#include "model/model_stats.h"

#include "gguf/gguf_file.h"

namespace holo {

namespace {

// Rows of a tensor = elements / ne[0]; bytes of k/n of a 3-D expert tensor are
// computed per expert slice so the division is exact.
uint64_t n_elements(const std::vector<int64_t>& ne) {
    uint64_t n = 1;
    for (int64_t d : ne) n *= static_cast<uint64_t>(d);
    return n;
}

}  // namespace

result<model_stats> compute_model_stats(const gguf_file& f) {
    model_stats s;
    auto arch = f.get_string("general.architecture");
    if (!arch) return arch.err();
    if (!*arch) return error{f.path() + ": no general.architecture"};
    s.architecture = **arch;
    if (auto n = f.get_string("general.name"); n && *n) s.name = **n;
    auto get = [&](const std::string& key, uint64_t& out) -> result<void> {
        auto v = f.get_uint(s.architecture + "." + key);
        if (!v) return v.err();
        if (*v) out = **v;
        return ok();
    };
    HOLO_TRY(get("context_length", s.n_ctx_train));
    HOLO_TRY(get("embedding_length", s.n_embd));
    HOLO_TRY(get("block_count", s.n_layer));
    HOLO_TRY(get("feed_forward_length", s.n_ff));
    HOLO_TRY(get("attention.head_count", s.n_head));
    HOLO_TRY(get("attention.head_count_kv", s.n_head_kv));
    HOLO_TRY(get("expert_count", s.n_expert));
    HOLO_TRY(get("expert_used_count", s.n_expert_used));
    HOLO_TRY(get("expert_feed_forward_length", s.n_ff_exp));
    HOLO_TRY(get("expert_shared_feed_forward_length", s.n_ff_shexp));
    if (auto ft = f.get_uint("general.file_type"); ft && *ft) s.file_type = **ft;
    if (const gguf_value* toks = f.find("tokenizer.ggml.tokens")) {
        if (const gguf_array* arr = toks->as_array()) s.n_vocab = arr->items.size();
    }
    s.file_bytes = f.file_size();

    const gguf_tensor_info* embd = f.find_tensor(weight_name(weight_kind::token_embd));
    s.tied_embeddings = embd && !f.find_tensor(weight_name(weight_kind::output));
    if (embd && s.n_vocab == 0 && embd->ne.size() >= 2) s.n_vocab = static_cast<uint64_t>(embd->ne[1]);

    uint64_t routed_bytes = 0, routed_params = 0;
    for (const gguf_tensor_info& t : f.tensors()) {
        stats_tensor st{t.name, t.type, t.ne, t.n_bytes, role_of(t.name)};
        const uint64_t ne = n_elements(t.ne);
        s.total_tensor_bytes += t.n_bytes;
        s.n_params += ne;
        if (!st.role) {
            s.bytes_unknown_role += t.n_bytes;
            s.active_bytes += t.n_bytes;  // unknown tensors: assume they are read every token
            s.active_params += ne;
        } else {
            s.bytes_by_role[static_cast<size_t>(*st.role)] += t.n_bytes;
            switch (*st.role) {
                case weight_role::embedding:
                    if (t.ne.size() >= 2 && t.ne[1] > 0) s.embedding_row_bytes = t.n_bytes / static_cast<uint64_t>(t.ne[1]);
                    if (s.tied_embeddings) {  // it is the lm head too: read in full
                        s.active_bytes += t.n_bytes;
                        s.active_params += ne;
                    } else {
                        s.active_bytes += s.embedding_row_bytes;
                        s.active_params += static_cast<uint64_t>(t.ne[0]);
                    }
                    break;
                case weight_role::routed_expert:
                    routed_bytes += t.n_bytes;
                    routed_params += ne;
                    break;
                default:
                    s.active_bytes += t.n_bytes;
                    s.active_params += ne;
            }
        }
        s.tensors.push_back(std::move(st));
    }
    if (s.n_expert > 0) {
        // Each token uses n_expert_used of n_expert experts in every MoE layer.
        s.active_bytes += routed_bytes / s.n_expert * s.n_expert_used;
        s.active_params += routed_params / s.n_expert * s.n_expert_used;
        uint64_t n_moe_layers = 0;
        for (const stats_tensor& t : s.tensors) {
            auto p = parse_weight_name(t.name);
            if (p && p->kind == weight_kind::ffn_down_exps) ++n_moe_layers;
        }
        if (n_moe_layers > 0) s.expert_bytes = routed_bytes / s.n_expert / n_moe_layers;
    }
    return s;
}

}  // namespace holo
