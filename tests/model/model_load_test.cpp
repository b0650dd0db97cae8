// Loading: hyper-parameters against the synth preset that wrote the file, weight
// binding (tied output, biases, QK-norm, expert descriptors pointing at the right
// bytes of the file), and clear errors for files that do not fit an architecture.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "model/model.h"
#include "model/presets.h"
#include "model/synth.h"
#include "model/kv_cache.h"
#include "test_util.h"

namespace holo {
namespace {

std::string synth(const std::string& preset, const std::string& type = "q8_0") {
    const std::string path = test::temp_path(preset + "-" + type + "-load.gguf");
    synth_options o;
    o.preset = preset;
    o.type = type;
    o.output_path = path;
    o.n_threads = 2;
    o.progress = false;
    auto w = write_synth_model(o);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.message());
    return path;
}

// Copies a file, dropping tensor `drop`, replacing metadata `set`.
std::string rewrite(const std::string& in, const std::string& tag, const std::string& drop,
                    const std::vector<std::pair<std::string, gguf_value>>& set) {
    const std::string out = test::temp_path(tag + ".gguf");
    auto f = gguf_file::open(in);
    EXPECT_TRUE(f.ok());
    gguf_writer w;
    for (const gguf_kv& kv : f->metadata())
        if (kv.key != "general.alignment") w.set(kv.key, kv.value);
    for (const auto& [k, v] : set) w.set(k, v);
    for (const gguf_tensor_info& t : f->tensors())
        if (t.name != drop) EXPECT_TRUE(w.add_tensor(t.name, t.type, t.ne).ok());
    EXPECT_TRUE(w.begin(out).ok());
    for (const gguf_tensor_info& t : f->tensors())
        if (t.name != drop) EXPECT_TRUE(w.write_tensor_data(f->tensor_data(t)).ok());
    EXPECT_TRUE(w.finish().ok());
    return out;
}

TEST(model_load, hparams_and_weights_match_every_tiny_preset) {
    for (const char* name : {"tiny-llama", "tiny-mixtral", "tiny-qwen2", "tiny-qwen3", "tiny-qwen2moe", "tiny-qwen3moe"}) {
        const model_preset p = *find_preset(name);
        auto m = load_model(synth(name));
        ASSERT_TRUE(m.ok()) << name << ": " << m.message();
        const hparams& h = m.value()->hp();
        EXPECT_EQ(h.arch, arch_name(p.arch)) << name;
        EXPECT_EQ(h.n_vocab, p.n_vocab) << name;
        EXPECT_EQ(h.n_embd, p.n_embd) << name;
        EXPECT_EQ(h.n_layer, p.n_layer) << name;
        EXPECT_EQ(h.n_head, p.n_head) << name;
        EXPECT_EQ(h.n_head_kv, p.n_head_kv) << name;
        EXPECT_EQ(h.head_dim, p.head_dim) << name;
        EXPECT_EQ(h.n_expert, p.n_expert) << name;
        EXPECT_EQ(h.n_expert_used, p.n_expert_used) << name;
        if (p.n_expert > 0) EXPECT_EQ(h.n_ff_exp, p.n_ff_exp) << name;
        if (p.n_ff_shexp > 0) EXPECT_EQ(h.n_ff_shexp, p.n_ff_shexp) << name;
        EXPECT_FLOAT_EQ(h.rope_freq_base, float(p.rope_freq_base)) << name;
        EXPECT_FLOAT_EQ(h.rms_eps, float(p.rms_eps)) << name;
        const model& mm = *m.value();
        EXPECT_EQ(mm.output().data == mm.tok_embd().data, p.tied_embeddings) << name;
        EXPECT_EQ(mm.plan().qk_norm, p.qk_norm) << name;
        EXPECT_EQ(mm.plan().rope == rope_kind::neox, p.arch != synth_arch::llama) << name;
        for (const layer_weights& l : mm.layers()) {
            EXPECT_EQ(!l.bq.empty(), p.qkv_bias) << name;
            EXPECT_EQ(!l.q_norm.empty(), p.qk_norm) << name;
            EXPECT_EQ(l.is_moe(), p.n_expert > 0) << name;
            EXPECT_EQ(l.has_shared_expert(), p.n_ff_shexp > 0) << name;
        }
    }
}

TEST(model_load, expert_descriptors_point_at_each_experts_bytes) {
    const std::string path = synth("tiny-qwen3moe", "q4_k");
    auto m = load_model(path);
    ASSERT_TRUE(m.ok()) << m.message();
    const model& mm = *m.value();
    auto f = gguf_file::open(path);
    ASSERT_TRUE(f.ok());
    for (int64_t il = 0; il < mm.hp().n_layer; ++il) {
        const expert_layer& el = mm.layer(il).experts;
        ASSERT_EQ(int64_t(el.experts.size()), mm.hp().n_expert);
        const auto* gate = f->find_tensor("blk." + std::to_string(il) + ".ffn_gate_exps.weight");
        const auto* down = f->find_tensor("blk." + std::to_string(il) + ".ffn_down_exps.weight");
        ASSERT_TRUE(gate && down);
        for (const expert_desc& e : el.experts) {
            EXPECT_EQ(e.il, il);
            EXPECT_EQ(e.gate.n_bytes, gate->n_bytes / uint64_t(mm.hp().n_expert));
            EXPECT_EQ(e.gate.file_offset, f->data_offset() + gate->offset + uint64_t(e.ie) * e.gate.n_bytes);
            EXPECT_EQ(e.down.file_offset, f->data_offset() + down->offset + uint64_t(e.ie) * e.down.n_bytes);
            EXPECT_EQ(e.gate.w.n_cols, mm.hp().n_embd);
            EXPECT_EQ(e.gate.w.n_rows, mm.hp().n_ff_exp);
            EXPECT_EQ(e.down.w.n_cols, mm.hp().n_ff_exp);
            EXPECT_EQ(e.down.w.type, tensor_type::q4_k);
        }
    }
}

TEST(model_load, kv_cache_truncates_and_clamps) {
    auto m = load_model(synth("tiny-llama"));
    ASSERT_TRUE(m.ok());
    kv_cache kv(*m.value(), 32);
    EXPECT_EQ(kv.n_ctx(), 32);
    EXPECT_EQ(kv.row_size(), m.value()->hp().n_embd_kv());
    kv.set_n_pos(10);
    kv.truncate(20);  // cannot grow
    EXPECT_EQ(kv.n_pos(), 10);
    kv.truncate(4);
    EXPECT_EQ(kv.n_pos(), 4);
    kv.truncate(-3);
    EXPECT_EQ(kv.n_pos(), 0);
}

TEST(model_load, bad_files_are_clear_errors) {
    const std::string base = synth("tiny-qwen2moe");
    struct bad_case {
        std::string tag, drop;
        std::vector<std::pair<std::string, gguf_value>> set;
        std::string expect;  // in the message
    };
    const std::vector<bad_case> cases = {
        {"no_arch_support", "", {{"general.architecture", gguf_value::make_string("gpt2")}}, "not supported"},
        {"missing_tensor", "blk.1.attn_k.weight", {}, "blk.1.attn_k.weight"},
        {"missing_shexp_gate", "blk.0.ffn_gate_inp_shexp.weight", {}, "ffn_gate_inp_shexp"},
        {"output_required", "output.weight", {}, "output.weight"},  // qwen2moe does not tie
        {"wrong_heads", "", {{"qwen2moe.attention.head_count", gguf_value::make_u32(3)}}, "head_count"},
        {"used_gt_count", "", {{"qwen2moe.expert_used_count", gguf_value::make_u32(99)}}, "expert_used_count"},
        {"key_wrong_type", "", {{"qwen2moe.block_count", gguf_value::make_string("3")}}, "block_count"},
        {"bad_eps", "", {{"qwen2moe.attention.layer_norm_rms_epsilon", gguf_value::make_f32(-1.0f)}}, "epsilon"},
        {"more_layers", "", {{"qwen2moe.block_count", gguf_value::make_u32(4)}}, "blk.3"},
    };
    for (const bad_case& c : cases) {
        auto m = load_model(rewrite(base, c.tag, c.drop, c.set));
        ASSERT_FALSE(m.ok()) << c.tag;
        EXPECT_NE(m.message().find(c.expect), std::string::npos) << c.tag << ": " << m.message();
        EXPECT_NE(m.message().find(c.tag), std::string::npos) << "names the file: " << m.message();
    }
    auto missing = load_model(test::temp_path("does-not-exist.gguf"));
    EXPECT_FALSE(missing.ok());
}

}  // namespace
}  // namespace holo
