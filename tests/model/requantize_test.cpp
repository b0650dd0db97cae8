// holo quantize: an f32 tiny model re-quantized to q8_0 keeps every tensor within the
// type's error budget (norms and 1-D tensors bit-exact, still f32); per-role
// overrides land on the right tensors; the mix rules reproduce llama.cpp's layer
// choices on a 48-layer model; rows that do not fit a type's block fall back like
// llama.cpp; the output loads in llama.cpp (oracle).
#include <gtest/gtest.h>

#include <cmath>

#include "gguf/gguf_file.h"
#include "model/requantize.h"
#include "model/synth.h"
#include "oracle/oracle_client.h"
#include "test_util.h"

namespace holo {
namespace {

std::string synth_to(const std::string& preset, const std::string& type) {
    synth_options o;
    o.preset = preset;
    o.type = type;
    o.n_threads = 2;
    o.progress = false;
    o.output_path = test::temp_path("src_" + preset + "_" + type + ".gguf");
    auto r = write_synth_model(o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.message());
    return o.output_path;
}

std::string requantize_to(const std::string& in, const std::string& type, const role_types& roles = {},
                          const std::string& tag = "") {
    requantize_options o;
    o.input_path = in;
    o.output_path = test::temp_path("rq_" + type + tag + ".gguf");
    o.type = type;
    o.overrides = roles;
    o.n_threads = 3;
    o.progress = false;
    auto r = requantize_model(o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.message());
    return o.output_path;
}

std::vector<float> dequantized(const gguf_file& f, const gguf_tensor_info& t) {
    std::vector<float> v(t.n_elements());
    const int64_t row = t.ne[0];
    const uint64_t rb = *row_bytes(t.type, uint64_t(row));
    const auto data = f.tensor_data(t);
    for (uint64_t r = 0; r < t.n_elements() / uint64_t(row); ++r) {
        traits_of(t.type).dequantize_row(data.data() + r * rb, v.data() + r * uint64_t(row), row);
    }
    return v;
}

TEST(requantize, f32_to_q8_0_round_trip_per_tensor) {
    for (const char* preset : {"tiny-qwen2moe", "tiny-qwen3"}) {
        SCOPED_TRACE(preset);
        const std::string src = synth_to(preset, "f32");
        const std::string out = requantize_to(src, "q8_0", {}, preset);
        auto a = gguf_file::open(src);
        auto b = gguf_file::open(out);
        ASSERT_TRUE(a.ok() && b.ok());
        EXPECT_EQ(b->get_uint("general.file_type").value().value(), 7u);  // llama.cpp's MOSTLY_Q8_0
        EXPECT_EQ(b->get_string("general.architecture").value().value(), a->get_string("general.architecture").value().value());
        ASSERT_EQ(a->tensors().size(), b->tensors().size());
        for (size_t i = 0; i < a->tensors().size(); ++i) {
            const gguf_tensor_info& ta = a->tensors()[i];
            const gguf_tensor_info& tb = b->tensors()[i];
            ASSERT_EQ(ta.name, tb.name);
            ASSERT_EQ(ta.ne, tb.ne);
            const std::vector<float> x = dequantized(*a, ta), y = dequantized(*b, tb);
            const bool quantizable = ta.ne.size() >= 2 && ta.ne[1] > 1 && ta.name.ends_with("weight") &&
                                     ta.name.find("_norm.") == std::string::npos &&
                                     ta.name.find("ffn_gate_inp") == std::string::npos;
            if (!quantizable) {
                EXPECT_EQ(tb.type, tensor_type::f32) << ta.name;
                EXPECT_EQ(test::max_abs_diff(x, y), 0.0) << ta.name << ": kept bit for bit";
            } else {
                EXPECT_EQ(tb.type, tensor_type::q8_0) << ta.name;
                // q8_0 on uniform data: relative RMSE ~ 0.5/127/sqrt(3)*sqrt(3) ~ 0.004.
                EXPECT_LT(test::relative_rmse(x, y), 0.01) << ta.name;
            }
        }
    }
}

TEST(requantize, q4_k_m_matches_synth_types_and_error_budget) {
    const std::string src = synth_to("tiny-qwen3moe", "f16");
    const std::string out = requantize_to(src, "q4_k_m");
    const std::string direct = synth_to("tiny-qwen3moe", "q4_k_m");
    auto a = gguf_file::open(src);
    auto b = gguf_file::open(out);
    auto c = gguf_file::open(direct);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    for (size_t i = 0; i < a->tensors().size(); ++i) {
        const gguf_tensor_info& tb = b->tensors()[i];
        EXPECT_EQ(tb.type, c->tensors()[i].type) << tb.name << ": quantize and synth choose alike";
        const double e = test::relative_rmse(dequantized(*a, a->tensors()[i]), dequantized(*b, tb));
        const double budget = tb.type == tensor_type::q6_k ? 0.03 : tb.type == tensor_type::q4_k ? 0.1 : 1e-6;
        EXPECT_LT(e, budget) << tb.name << " " << type_name(tb.type);
    }
}

TEST(requantize, role_overrides) {
    const std::string src = synth_to("tiny-qwen2moe", "f16");
    role_types roles;
    roles.attention = tensor_type::q6_k;
    roles.shared_expert = tensor_type::q8_0;
    roles.routed_expert = tensor_type::q3_k;
    roles.embedding = tensor_type::q5_0;
    roles.output = tensor_type::q8_0;
    const std::string out = requantize_to(src, "q4_k_m", roles, "_roles");
    auto f = gguf_file::open(out);
    ASSERT_TRUE(f.ok());
    int seen[5] = {};
    for (const gguf_tensor_info& t : f->tensors()) {
        auto role = role_of(t.name);
        ASSERT_TRUE(role.has_value()) << t.name;
        const bool is_matrix = t.ne.size() >= 2 && t.name.ends_with(".weight");
        switch (*role) {
            case weight_role::attention:
                if (is_matrix) { EXPECT_EQ(t.type, tensor_type::q6_k) << t.name; ++seen[0]; }
                else EXPECT_EQ(t.type, tensor_type::f32) << t.name << ": biases stay f32";
                break;
            case weight_role::shared_expert:
                if (is_matrix) { EXPECT_EQ(t.type, tensor_type::q8_0) << t.name; ++seen[1]; }
                else EXPECT_EQ(t.type, tensor_type::f32) << t.name << ": the shared-expert gate stays f32";
                break;
            case weight_role::routed_expert: EXPECT_EQ(t.type, tensor_type::q3_k) << t.name; ++seen[2]; break;
            case weight_role::embedding: EXPECT_EQ(t.type, tensor_type::q5_0) << t.name; ++seen[3]; break;
            case weight_role::output: EXPECT_EQ(t.type, tensor_type::q8_0) << t.name; ++seen[4]; break;
            case weight_role::norm: case weight_role::router: EXPECT_EQ(t.type, tensor_type::f32) << t.name; break;
            default: break;
        }
    }
    for (int n : seen) EXPECT_GT(n, 0);

    role_type_names bad;
    bad.routed_expert = "q7_k";
    auto r = parse_role_types(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("--experts q7_k"), std::string::npos) << r.message();
}

TEST(requantize, bad_input_is_an_error_naming_the_file) {
    requantize_options o;
    o.input_path = test::temp_path("does_not_exist.gguf");
    o.output_path = test::temp_path("never.gguf");
    o.progress = false;
    auto r = requantize_model(o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("does_not_exist.gguf"), std::string::npos) << r.message();
    o.input_path = synth_to("tiny-llama", "f16");
    o.output_path = o.input_path;
    o.type = "q8_0";
    r = requantize_model(o);
    ASSERT_FALSE(r.ok()) << "writing over the input while reading it";
    EXPECT_NE(r.message().find("input"), std::string::npos) << r.message();
    EXPECT_TRUE(gguf_file::open(o.input_path).ok()) << "the input is untouched";
    o.output_path = test::temp_path("never.gguf");
    o.type = "q4_k_x";
    r = requantize_model(o);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("q4_k_x"), std::string::npos);
}

// llama.cpp's rules on the real Qwen3-30B-A3B layout: q4_k_m gives q6_K to attn_v and
// ffn_down_exps in 24 of 48 layers (first/last sixth... use_more_bits), output q6_K.
TEST(requantize, mix_rules_on_a_48_layer_moe) {
    const type_mix m = find_type_mix("Q4_K_M").value();
    EXPECT_EQ(m.file_type, 15u);
    const mix_model_info info{48, 128, 32, 4, false};
    int v6 = 0, d6 = 0;
    std::vector<int> d6_layers;
    for (int il = 0; il < 48; ++il) {
        const mix_tensor v{"", weight_kind::attn_v, il, {2048, 512}};
        const mix_tensor d{"", weight_kind::ffn_down_exps, il, {768, 2048, 128}};
        v6 += choose_tensor_type(m, {}, info, {weight_name(weight_kind::attn_v, il), v.kind, il, v.ne}, tensor_type::f16) ==
              tensor_type::q6_k;
        const bool dq6 = choose_tensor_type(m, {}, info, {weight_name(weight_kind::ffn_down_exps, il), d.kind, il, d.ne},
                                            tensor_type::f16) == tensor_type::q6_k;
        d6 += dq6;
        if (dq6) d6_layers.push_back(il);
    }
    EXPECT_EQ(v6, 24);
    EXPECT_EQ(d6, 24);
    // 0..5 and 42..47, plus every third layer from 8 (i - 48/8) % 3 == 2.
    const std::vector<int> want = {0, 1, 2, 3, 4, 5, 8, 11, 14, 17, 20, 23, 26, 29, 32, 35, 38, 41, 42, 43, 44, 45, 46, 47};
    EXPECT_EQ(d6_layers, want);
    const std::string out_name = weight_name(weight_kind::output);
    EXPECT_EQ(choose_tensor_type(m, {}, info, {out_name, weight_kind::output, -1, {2048, 151936}}, tensor_type::f16),
              tensor_type::q6_k);
    const std::string emb = weight_name(weight_kind::token_embd);
    EXPECT_EQ(choose_tensor_type(m, {}, info, {emb, weight_kind::token_embd, -1, {2048, 151936}}, tensor_type::f16),
              tensor_type::q4_k);
    // Tied embeddings: token_embd is the lm head and gets the output's type.
    mix_model_info tied = info;
    tied.tied_embeddings = true;
    EXPECT_EQ(choose_tensor_type(m, {}, tied, {emb, weight_kind::token_embd, -1, {2048, 151936}}, tensor_type::f16),
              tensor_type::q6_k);
    // Routers and norms are never quantized.
    const std::string rn = weight_name(weight_kind::ffn_gate_inp, 0);
    EXPECT_EQ(choose_tensor_type(m, {}, info, {rn, weight_kind::ffn_gate_inp, 0, {2048, 128}}, tensor_type::f32),
              tensor_type::f32);
    // Rows a 256-block does not divide fall back: q4_K -> q5_0, q6_K -> q8_0, then f16.
    const std::string q = weight_name(weight_kind::attn_q, 1);
    EXPECT_EQ(choose_tensor_type(m, {}, info, {q, weight_kind::attn_q, 1, {96, 64}}, tensor_type::f32), tensor_type::q5_0);
    EXPECT_EQ(choose_tensor_type(m, {}, info, {out_name, weight_kind::output, -1, {96, 64}}, tensor_type::f32),
              tensor_type::q8_0);
    EXPECT_EQ(choose_tensor_type(m, {}, info, {q, weight_kind::attn_q, 1, {40, 64}}, tensor_type::f32), tensor_type::f16);
    // Mixtral (8 experts): attn_v and attn_k q8_0, attn_output q5_K.
    const mix_model_info mixtral{32, 8, 32, 8, false};
    EXPECT_EQ(choose_tensor_type(m, {}, mixtral, {weight_name(weight_kind::attn_k, 9), weight_kind::attn_k, 9, {4096, 1024}},
                                 tensor_type::f16),
              tensor_type::q8_0);
    EXPECT_EQ(choose_tensor_type(m, {}, mixtral,
                                 {weight_name(weight_kind::attn_output, 9), weight_kind::attn_output, 9, {4096, 4096}},
                                 tensor_type::f16),
              tensor_type::q5_k);
    EXPECT_FALSE(find_type_mix("q4_k_q").ok());
    EXPECT_TRUE(find_type_mix("q4_k").ok() && find_type_mix("q4_k")->pure);
}

TEST(requantize, output_loads_in_llama_cpp) {
    HOLO_REQUIRE_ORACLE();
    const std::string src = synth_to("tiny-qwen3moe", "f32");
    role_types roles;
    roles.routed_expert = tensor_type::q3_k;
    roles.attention = tensor_type::q6_k;
    const std::string out = requantize_to(src, "q4_k_m", roles, "_oracle");
    std::string err;
    const std::string lf = test::temp_path("rq_logits.f32");
    ASSERT_TRUE(test::run_oracle("logits " + test::shell_quote(out) + " 5,6,7 --out " + test::shell_quote(lf), &err)) << err;
    auto lb = test::read_bytes(lf);
    ASSERT_TRUE(lb.has_value());
    for (float x : test::bytes_to_floats(*lb)) ASSERT_TRUE(std::isfinite(x));
}

}  // namespace
}  // namespace holo
