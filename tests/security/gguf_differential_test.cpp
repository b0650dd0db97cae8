// Differential GGUF parsing: every GGUF of the test suite (tests/data/**, the GGUF
// seeds, the malformed corpus) and fresh synth outputs are parsed by Holobiont and
// by @huggingface/gguf (tests/e2e/gguf/parse.mjs). Where both accept, they must
// list the same keys (in order) and the same tensors (name, type, shape, offset).
// A valid file must be accepted by both. A malformed-corpus file must be rejected
// by Holobiont; @huggingface/gguf reads only the header and metadata (no data
// ranges, alignment values, size products), so it may accept some of them: those
// are counted and printed, and the header they list must still agree.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gguf/gguf_file.h"
#include "model/synth.h"
#include "test_util.h"

namespace holo {
namespace {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::vector<std::string> suite_files() {
    std::vector<std::string> out;
    for (const char* dir : {"tests/data", "tests/gguf"}) {
        const fs::path root = fs::path(test::source_dir()) / dir;
        if (!fs::exists(root)) continue;
        for (const auto& e : fs::recursive_directory_iterator(root))
            if (e.is_regular_file() && e.path().extension() == ".gguf") out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> synth_files() {
    std::vector<std::string> out;
    const std::vector<std::pair<const char*, const char*>> made = {
        {"tiny-llama", "f16"}, {"tiny-qwen2", "q8_0"}, {"tiny-qwen3moe", "q4_k_m"}, {"tiny-mixtral", "q4_0"}};
    for (const auto& [preset, type] : made) {
        synth_options o;
        o.preset = preset;
        o.type = type;
        o.n_layer = 1;
        o.output_path = test::temp_path(std::string("diff_") + preset + ".gguf");
        o.progress = false;
        auto w = write_synth_model(o);
        EXPECT_TRUE(w.ok()) << preset << " " << type << ": " << (w.ok() ? "" : w.message());
        if (w.ok()) out.push_back(o.output_path);
    }
    return out;
}

TEST(gguf_differential, holobiont_and_huggingface_gguf_agree) {
    const std::string script = test::source_dir() + "/tests/e2e/gguf/parse.mjs";
    if (test::run_command("node --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "node is not installed";
    if (!fs::exists(test::source_dir() + "/tests/node_modules/@huggingface/gguf"))
        GTEST_SKIP() << "npm package @huggingface/gguf is missing (scripts/setup installs tests/package.json)";

    std::vector<std::string> files = suite_files();
    const size_t n_suite = files.size();
    for (auto& f : synth_files()) files.push_back(f);
    ASSERT_GT(n_suite, 60u) << "the malformed corpus is missing";

    std::string cmd = "cd " + shell_quote(test::source_dir() + "/tests") + " && timeout 120 node " + shell_quote(script);
    for (const auto& f : files) cmd += " " + shell_quote(f);
    std::string out;
    ASSERT_EQ(test::run_command(cmd + " 2>&1", &out), 0) << out;

    std::map<std::string, nlohmann::json> hf;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << "parse.mjs printed a non-JSON line: " << line;
        hf[j["file"].get<std::string>()] = j;
    }

    int both_accept = 0, both_reject = 0, only_holo_rejects = 0;
    for (const auto& path : files) {
        SCOPED_TRACE(path);
        ASSERT_TRUE(hf.count(path)) << "no result from parse.mjs";
        const nlohmann::json& h = hf[path];
        const bool malformed = path.find("/tests/data/malformed/") != std::string::npos;
        auto ours = gguf_file::open(path);
        const bool hf_ok = h["ok"].get<bool>();

        if (ours.ok() && !hf_ok) {
            ADD_FAILURE() << "Holobiont accepts a file @huggingface/gguf rejects: " << h["error"];
            continue;
        }
        if (!ours.ok() && !hf_ok) {
            ++both_reject;
            continue;
        }
        // @huggingface/gguf accepted: its view of the header must match ours.
        if (!ours.ok()) {
            EXPECT_TRUE(malformed) << "a valid file is rejected: " << ours.message();
            ++only_holo_rejects;
            std::printf("  stricter: %s — %s\n", fs::path(path).filename().c_str(),
                        ours.message().substr(ours.message().find(": ") + 2).c_str());
            continue;
        }
        ++both_accept;
        std::vector<std::string> keys;
        for (const gguf_kv& kv : ours->metadata()) keys.push_back(kv.key);
        EXPECT_EQ(keys, h["keys"].get<std::vector<std::string>>());
        const auto& ht = h["tensors"];
        ASSERT_EQ(ours->tensors().size(), ht.size());
        for (size_t i = 0; i < ht.size(); ++i) {
            const gguf_tensor_info& t = ours->tensors()[i];
            EXPECT_EQ(t.name, ht[i]["name"].get<std::string>());
            EXPECT_EQ(int(t.type), ht[i]["type"].get<int>()) << t.name;
            std::vector<std::string> ne;
            for (int64_t d : t.ne) ne.push_back(std::to_string(d));
            EXPECT_EQ(ne, ht[i]["ne"].get<std::vector<std::string>>()) << t.name;
            EXPECT_EQ(std::to_string(t.offset), ht[i]["offset"].get<std::string>()) << t.name;
        }
    }
    std::printf("%zu files: both accept %d (same keys and tensors), both reject %d, only Holobiont rejects %d\n",
                files.size(), both_accept, both_reject, only_holo_rejects);
    EXPECT_GE(both_accept, 4) << "the synth outputs must be accepted by both";
}

}  // namespace
}  // namespace holo
