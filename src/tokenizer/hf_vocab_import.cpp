#include "tokenizer/hf_vocab_import.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tokenizer/vocab.h"

namespace holo {

namespace {

using json = nlohmann::json;

// The Split regexes of the pre-tokenizer, in order ("" stands for ByteLevel's own
// GPT-2 regex when use_regex is on).
void collect_split_patterns(const json& pre, std::vector<std::string>& out) {
    if (!pre.is_object()) return;
    const std::string type = pre.value("type", "");
    if (type == "Sequence" && pre.contains("pretokenizers")) {
        for (const auto& p : pre["pretokenizers"]) collect_split_patterns(p, out);
    } else if (type == "Split" && pre.contains("pattern") && pre["pattern"].contains("Regex")) {
        out.push_back(pre["pattern"]["Regex"].get<std::string>());
    } else if (type == "ByteLevel" && pre.value("use_regex", true)) {
        out.emplace_back();
    }
}

bool mentions_type(const json& j, std::string_view type) {
    if (j.is_object()) {
        if (j.contains("type") && j["type"].is_string() && j["type"].get<std::string>() == type) return true;
        for (const auto& [k, v] : j.items()) {
            if (mentions_type(v, type)) return true;
        }
    } else if (j.is_array()) {
        for (const auto& v : j) {
            if (mentions_type(v, type)) return true;
        }
    }
    return false;
}

result<std::string> detect_pre(const json& tok, std::string_view source) {
    std::vector<std::string> pats;
    if (tok.contains("pre_tokenizer")) collect_split_patterns(tok["pre_tokenizer"], pats);
    const std::string llama3_like_tail =
        "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    const std::string contractions = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|";
    if (pats.size() == 1 && pats[0] == contractions + llama3_like_tail) return std::string("llama-bpe");
    std::string qwen_tail = llama3_like_tail;
    qwen_tail.replace(qwen_tail.find("\\p{N}{1,3}"), 10, "\\p{N}");
    if (pats.size() == 1 && pats[0] == contractions + qwen_tail) return std::string("qwen2");
    if (pats.size() == 3 && pats[0] == "\\p{N}{1,3}" && pats[2].rfind("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|", 0) == 0)
        return std::string("deepseek-v3");
    if (pats.size() == 1 && pats[0].empty()) return std::string("gpt-2");
    std::string list;
    for (const auto& p : pats) list += "\n  " + (p.empty() ? std::string("<ByteLevel GPT-2 regex>") : p);
    return error{std::string(source) + ": pre-tokenizer not recognised (known: qwen2, llama-bpe, deepseek-v3, gpt-2); its regexes:" + list};
}

// A token written in the config as a string or as {"content": ...}.
std::optional<std::string> config_token(const json& cfg, const char* key) {
    if (!cfg.is_object() || !cfg.contains(key)) return std::nullopt;
    const json& v = cfg[key];
    if (v.is_string()) return v.get<std::string>();
    if (v.is_object() && v.contains("content") && v["content"].is_string()) return v["content"].get<std::string>();
    return std::nullopt;
}

// What llama.cpp's converter treats as a control token even when the file does not
// mark it special: <|...|> and <｜...｜> markers.
bool looks_special(const std::string& t) {
    auto wrapped = [&](std::string_view open, std::string_view close) {
        return t.size() >= open.size() + close.size() && t.compare(0, open.size(), open) == 0 &&
               t.compare(t.size() - close.size(), close.size(), close) == 0;
    };
    return wrapped("<|", "|>") || wrapped("<\xEF\xBD\x9C", "\xEF\xBD\x9C>");
}

// Whether the post-processor's single-sequence template starts / ends with `token`.
bool template_has(const json& tok, const std::string& token, bool at_start) {
    if (!tok.contains("post_processor") || !tok["post_processor"].is_object()) return false;
    const json* pp = &tok["post_processor"];
    if (pp->value("type", "") == "Sequence" && pp->contains("processors")) {
        for (const auto& p : (*pp)["processors"]) {
            if (p.value("type", "") == "TemplateProcessing") pp = &p;
        }
    }
    if (pp->value("type", "") != "TemplateProcessing" || !pp->contains("single")) return false;
    const json& single = (*pp)["single"];
    if (!single.is_array() || single.empty()) return false;
    const json& e = at_start ? single.front() : single.back();
    return e.contains("SpecialToken") && e["SpecialToken"].value("id", "") == token;
}

}  // namespace

result<std::vector<gguf_kv>> import_hf_vocab(std::string_view tokenizer_json, std::string_view config_json,
                                             std::string_view source) {
    const std::string src(source);
    json tok, cfg;
    try {
        tok = json::parse(tokenizer_json);
        if (!config_json.empty()) cfg = json::parse(config_json);
    } catch (const json::exception& e) {
        return error{src + ": invalid JSON: " + e.what()};
    }
    if (!tok.contains("model") || !tok["model"].is_object()) return error{src + ": no \"model\" object"};
    const json& model = tok["model"];
    const std::string type = model.value("type", "");
    if (type != "BPE") {
        return error{src + ": tokenizer model '" + type + "' is not supported (only BPE: byte-level or SentencePiece-style)"};
    }
    if (!model.contains("vocab") || !model["vocab"].is_object()) return error{src + ": model.vocab is not an object"};

    const bool spm = model.value("byte_fallback", false) || mentions_type(tok.value("pre_tokenizer", json()), "Metaspace") ||
                     mentions_type(tok.value("normalizer", json()), "Prepend");
    std::string pre = "default";
    if (!spm) {
        if (!mentions_type(tok.value("pre_tokenizer", json()), "ByteLevel") && !mentions_type(tok.value("decoder", json()), "ByteLevel"))
            return error{src + ": BPE without ByteLevel and without byte fallback: neither GPT-2 nor SentencePiece style"};
        auto p = detect_pre(tok, source);
        if (!p.ok()) return p.err();
        pre = *p;
    }

    // id -> text, from the model vocabulary and then the added tokens.
    std::map<int64_t, std::string> by_id;
    for (const auto& [text, id] : model["vocab"].items()) {
        if (!id.is_number_integer() || id.get<int64_t>() < 0) return error{src + ": vocab entry '" + text + "' has no valid id"};
        by_id[id.get<int64_t>()] = text;
    }
    std::map<int64_t, bool> added_special;
    if (tok.contains("added_tokens")) {
        for (const auto& a : tok["added_tokens"]) {
            const int64_t id = a.value("id", int64_t(-1));
            if (id < 0) return error{src + ": added token without a valid id"};
            by_id[id] = a.value("content", "");
            added_special[id] = a.value("special", false);
        }
    }
    if (by_id.empty()) return error{src + ": empty vocabulary"};
    const int64_t n_vocab = by_id.rbegin()->first + 1;
    if (n_vocab > (int64_t(1) << 24)) return error{src + ": token id " + std::to_string(n_vocab - 1) + " is implausibly large"};

    const std::string unk = model.contains("unk_token") && model["unk_token"].is_string() ? model["unk_token"].get<std::string>() : "";
    std::vector<std::string> tokens(n_vocab);
    std::vector<int32_t> types(n_vocab, int32_t(token_kind::normal));
    std::map<std::string, int64_t> id_of;
    for (int64_t id = 0; id < n_vocab; ++id) {
        auto it = by_id.find(id);
        if (it == by_id.end()) {
            tokens[id] = "[PAD" + std::to_string(id) + "]";
            types[id] = int32_t(token_kind::unused);
            continue;
        }
        tokens[id] = it->second;
        id_of.emplace(it->second, id);
        auto sp = added_special.find(id);
        if (!unk.empty() && it->second == unk) {
            types[id] = int32_t(token_kind::unknown);
        } else if (sp != added_special.end()) {
            types[id] = int32_t(sp->second || looks_special(it->second) ? token_kind::control : token_kind::user_defined);
        } else if (spm && parse_byte_token(it->second) >= 0) {
            types[id] = int32_t(token_kind::byte);
        }
    }

    // Merges: "left right" strings (the new format stores [left, right] pairs).
    std::vector<std::string> merges;
    if (model.contains("merges")) {
        for (const auto& m : model["merges"]) {
            if (m.is_string()) {
                merges.push_back(m.get<std::string>());
            } else if (m.is_array() && m.size() == 2) {
                merges.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
            } else {
                return error{src + ": model.merges holds an entry that is neither \"a b\" nor [a, b]"};
            }
        }
    }

    std::vector<gguf_kv> kv;
    auto set = [&](std::string key, gguf_value v) { kv.push_back({std::move(key), std::move(v)}); };
    set("tokenizer.ggml.model", gguf_value::make_string(spm ? "llama" : "gpt2"));
    set("tokenizer.ggml.pre", gguf_value::make_string(pre));
    set("tokenizer.ggml.tokens", gguf_value::make_string_array(tokens));
    set("tokenizer.ggml.token_type", gguf_value::make_i32_array(types));
    if (spm) {
        // SentencePiece merges by score; a merge's rank orders it, so the token a
        // merge produces scores minus the rank of its first merge.
        std::vector<float> scores(n_vocab, 0.0f);
        std::vector<bool> scored(n_vocab, false);
        for (size_t r = 0; r < merges.size(); ++r) {
            const size_t sp_at = merges[r].find(' ', 1);
            if (sp_at == std::string::npos) continue;
            auto it = id_of.find(merges[r].substr(0, sp_at) + merges[r].substr(sp_at + 1));
            if (it == id_of.end() || scored[it->second]) continue;
            scored[it->second] = true;
            scores[it->second] = -float(r);
        }
        set("tokenizer.ggml.scores", gguf_value::make_f32_array(scores));
    } else {
        set("tokenizer.ggml.merges", gguf_value::make_string_array(merges));
    }

    auto set_id = [&](const char* key, const std::optional<std::string>& text) {
        if (!text) return;
        auto it = id_of.find(*text);
        if (it != id_of.end()) set(key, gguf_value::make_u32(uint32_t(it->second)));
    };
    const auto bos = config_token(cfg, "bos_token"), eos = config_token(cfg, "eos_token");
    set_id("tokenizer.ggml.bos_token_id", bos);
    set_id("tokenizer.ggml.eos_token_id", eos);
    set_id("tokenizer.ggml.padding_token_id", config_token(cfg, "pad_token"));
    set_id("tokenizer.ggml.unknown_token_id", unk.empty() ? config_token(cfg, "unk_token") : std::optional<std::string>(unk));
    for (const char* t : {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>"}) {
        if (id_of.count(t)) {
            set_id("tokenizer.ggml.eot_token_id", std::string(t));
            break;
        }
    }
    bool add_bos = bos && template_has(tok, *bos, true);
    bool add_eos = eos && template_has(tok, *eos, false);
    if (cfg.is_object() && cfg.contains("add_bos_token") && cfg["add_bos_token"].is_boolean()) add_bos = cfg["add_bos_token"].get<bool>();
    if (cfg.is_object() && cfg.contains("add_eos_token") && cfg["add_eos_token"].is_boolean()) add_eos = cfg["add_eos_token"].get<bool>();
    if (add_bos && !(bos && id_of.count(*bos))) add_bos = false;
    if (add_eos && !(eos && id_of.count(*eos))) add_eos = false;
    set("tokenizer.ggml.add_bos_token", gguf_value::make_bool(add_bos));
    set("tokenizer.ggml.add_eos_token", gguf_value::make_bool(add_eos));
    if (spm) set("tokenizer.ggml.add_space_prefix", gguf_value::make_bool(true));
    if (cfg.is_object() && cfg.contains("chat_template") && cfg["chat_template"].is_string()) {
        set("tokenizer.chat_template", gguf_value::make_string(cfg["chat_template"].get<std::string>()));
    }
    return kv;
}

result<std::vector<gguf_kv>> import_hf_vocab_files(const std::string& tokenizer_json_path, const std::string& config_path) {
    auto slurp = [](const std::string& path, std::string& out) {
        std::ifstream f(path, std::ios::binary);
        if (!f) return false;
        std::ostringstream ss;
        ss << f.rdbuf();
        out = ss.str();
        return true;
    };
    std::string tok, cfg;
    if (!slurp(tokenizer_json_path, tok)) return error{tokenizer_json_path + ": cannot read"};
    std::string cfg_path = config_path;
    if (cfg_path.empty()) {
        auto p = std::filesystem::path(tokenizer_json_path).parent_path() / "tokenizer_config.json";
        if (std::filesystem::exists(p)) cfg_path = p.string();
    }
    if (!cfg_path.empty() && !slurp(cfg_path, cfg)) return error{cfg_path + ": cannot read"};
    return import_hf_vocab(tok, cfg, tokenizer_json_path);
}

}  // namespace holo
