// holo inspect: the --json numbers (bytes by role, active bytes per token, expert
// size) equal what is computed by hand from the file's tensor table, for a MoE with
// and without a shared expert, a dense model and a tied-embedding model; text output
// and errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "gguf/gguf_file.h"
#include "model/synth.h"
#include "model/weight_table.h"
#include "test_util.h"

namespace holo {
namespace {

std::string holo_bin() { return test::binary_dir() + "/holo"; }

std::string synth_to(const std::string& preset, const std::string& type) {
    synth_options o;
    o.preset = preset;
    o.type = type;
    o.n_threads = 2;
    o.progress = false;
    o.output_path = test::temp_path("inspect_" + preset + "_" + type + ".gguf");
    auto r = write_synth_model(o);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.message());
    return o.output_path;
}

nlohmann::json inspect_json(const std::string& path) {
    std::string out;
    const int rc = test::run_command("'" + holo_bin() + "' inspect --json '" + path + "'", &out);
    EXPECT_EQ(rc, 0) << out;
    return nlohmann::json::parse(out);
}

struct hand_numbers {
    std::map<std::string, uint64_t> by_role;
    uint64_t total = 0, active = 0, routed = 0, n_expert = 0, n_used = 0, moe_layers = 0;
};

// From the tensor table alone: the decoder reads every weight once per token, except
// token_embd (one row, unless it doubles as the lm head) and the routed experts
// (n_used of n_expert in each layer).
hand_numbers by_hand(const std::string& path) {
    auto f = gguf_file::open(path);
    EXPECT_TRUE(f.ok());
    hand_numbers h;
    const std::string arch = f->get_string("general.architecture").value().value();
    if (auto e = f->get_uint(arch + ".expert_count"); e.ok() && e->has_value()) h.n_expert = **e;
    if (auto e = f->get_uint(arch + ".expert_used_count"); e.ok() && e->has_value()) h.n_used = **e;
    const bool tied = f->find_tensor("output.weight") == nullptr;
    for (const gguf_tensor_info& t : f->tensors()) {
        const std::string role = role_name(*role_of(t.name));
        h.by_role[role] += t.n_bytes;
        h.total += t.n_bytes;
        if (role == "routed_expert") {
            h.routed += t.n_bytes;
            if (t.name.find("ffn_down_exps") != std::string::npos) ++h.moe_layers;
        } else if (role == "embedding" && !tied) {
            h.active += t.n_bytes / uint64_t(t.ne[1]);
        } else {
            h.active += t.n_bytes;
        }
    }
    if (h.n_expert) h.active += h.routed / h.n_expert * h.n_used;
    return h;
}

void check_against_hand(const std::string& path) {
    ASSERT_TRUE(std::filesystem::exists(holo_bin())) << holo_bin() << " is not built";
    const nlohmann::json j = inspect_json(path);
    const hand_numbers h = by_hand(path);
    EXPECT_EQ(j["total_tensor_bytes"].get<uint64_t>(), h.total);
    EXPECT_EQ(j["file_bytes"].get<uint64_t>(), std::filesystem::file_size(path));
    for (const auto& [role, bytes] : h.by_role) EXPECT_EQ(j["bytes_by_role"][role].get<uint64_t>(), bytes) << role;
    EXPECT_EQ(j["active_bytes_per_token"].get<uint64_t>(), h.active);
    EXPECT_EQ(j["experts"]["count"].get<uint64_t>(), h.n_expert);
    if (h.n_expert) {
        EXPECT_EQ(j["experts"]["bytes_per_expert"].get<uint64_t>(), h.routed / h.n_expert / h.moe_layers);
        EXPECT_LT(j["active_bytes_per_token"].get<uint64_t>(), h.total);
    }
    uint64_t table_sum = 0;
    for (const auto& t : j["tensors"]) table_sum += t["bytes"].get<uint64_t>();
    EXPECT_EQ(table_sum, h.total);
}

TEST(inspect, json_matches_the_tensor_table) {
    for (const auto& [preset, type] : std::vector<std::pair<std::string, std::string>>{
             {"tiny-qwen3moe", "q4_k_m"}, {"tiny-qwen2moe", "q8_0"}, {"tiny-llama", "f16"}, {"tiny-qwen3", "q4_k_m"}}) {
        SCOPED_TRACE(preset + " " + type);
        check_against_hand(synth_to(preset, type));
    }
}

TEST(inspect, hyper_parameters_and_roles) {
    const nlohmann::json j = inspect_json(synth_to("tiny-qwen2moe", "q8_0"));
    EXPECT_EQ(j["architecture"], "qwen2moe");
    EXPECT_EQ(j["hparams"]["n_expert"], 8);
    EXPECT_EQ(j["hparams"]["n_expert_used"], 2);
    EXPECT_EQ(j["hparams"]["n_ff_shexp"], 512);
    EXPECT_EQ(j["hparams"]["n_vocab"], 1024);
    EXPECT_GT(j["bytes_by_role"]["shared_expert"].get<uint64_t>(), 0u);
    EXPECT_GT(j["bytes_by_role"]["router"].get<uint64_t>(), 0u);
    EXPECT_EQ(j["bytes_by_role"]["dense_ffn"].get<uint64_t>(), 0u);
    EXPECT_EQ(j["bytes_by_role"]["unknown"].get<uint64_t>(), 0u);
    // Tied: the embedding is read in full (it is the lm head).
    const nlohmann::json t = inspect_json(synth_to("tiny-qwen3", "f16"));
    EXPECT_TRUE(t["tied_embeddings"].get<bool>());
    EXPECT_EQ(t["active_bytes_per_token"].get<uint64_t>(), t["total_tensor_bytes"].get<uint64_t>());
}

TEST(inspect, text_output_and_errors) {
    ASSERT_TRUE(std::filesystem::exists(holo_bin())) << holo_bin() << " is not built";
    std::string out;
    ASSERT_EQ(test::run_command("'" + holo_bin() + "' inspect '" + synth_to("tiny-mixtral", "q4_k_m") + "'", &out), 0);
    EXPECT_NE(out.find("active bytes per decoded token"), std::string::npos) << out;
    EXPECT_NE(out.find("blk.2.ffn_down_exps.weight"), std::string::npos);
    EXPECT_NE(out.find("routed_expert"), std::string::npos);
    const std::string missing = test::temp_path("nope.gguf");
    out.clear();
    EXPECT_NE(test::run_command("'" + holo_bin() + "' inspect '" + missing + "' 2>&1", &out), 0);
    EXPECT_NE(out.find("nope.gguf"), std::string::npos) << out;
}

}  // namespace
}  // namespace holo
