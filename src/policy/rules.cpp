#include "policy/rules.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace holo::policy {
namespace {

namespace fs = std::filesystem;

struct ctx {
    std::string name;
    error at(const YAML::Node& n, const std::string& msg) const {
        int line = n.Mark().line;
        return error{name + ":" + (line >= 0 ? std::to_string(line + 1) : std::string("?")) + ": " + msg};
    }
};

result<std::string> scalar(const ctx& c, const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) return c.at(n, what + " must be a single value, not a " + (n.IsMap() ? "map" : n.IsSequence() ? "list" : "null"));
    return n.Scalar();
}

result<int64_t> count(const ctx& c, const YAML::Node& n, const std::string& what, int64_t lo, int64_t hi) {
    auto s = scalar(c, n, what);
    if (!s.ok()) return s.err();
    char* end = nullptr;
    long long v = std::strtoll(s->c_str(), &end, 10);
    if (s->empty() || *end != '\0' || v < lo || v > hi) {
        return c.at(n, what + " must be a whole number in " + std::to_string(lo) + ".." + std::to_string(hi) +
                           ", not '" + *s + "'");
    }
    return int64_t(v);
}

result<std::map<std::string, std::string>> parse_prompts(const std::string& text, const std::string& name) {
    ctx c{name};
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        return error{name + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg};
    }
    if (root.IsMap() && root["prompts"]) root = root["prompts"];
    if (!root.IsMap()) return error{name + ": expected a map of prompt name -> text"};
    std::map<std::string, std::string> out;
    for (const auto& kv : root) {
        auto k = scalar(c, kv.first, "a prompt name");
        if (!k.ok()) return k.err();
        auto v = scalar(c, kv.second, "prompt '" + *k + "'");
        if (!v.ok()) return v.err();
        out[*k] = *v;
    }
    return out;
}

// Reads one action (the keys of a rule other than name/when) into r.
result<void> parse_action(const ctx& c, const YAML::Node& n, rule& r, const std::set<std::string>& extra_keys) {
    static const std::set<std::string> action_keys = {"model", "gpu_layers", "gpu_mem", "threads", "parallel",
                                                      "system_prompt"};
    for (const auto& kv : n) {
        auto key = scalar(c, kv.first, "a key");
        if (!key.ok()) return key.err();
        if (!action_keys.count(*key) && !extra_keys.count(*key)) {
            return c.at(kv.first, "unknown key '" + *key +
                                      "' (a rule has: name, when, model, gpu_layers, gpu_mem, threads, parallel, "
                                      "system_prompt)");
        }
    }
    if (!n["model"]) return c.at(n, "'" + r.name + "' has no model");
    auto m = scalar(c, n["model"], "model");
    if (!m.ok()) return m.err();
    if (m->empty()) return c.at(n["model"], "model is empty");
    r.model = *m;
    if (auto v = n["gpu_layers"]) {
        auto x = count(c, v, "gpu_layers", 0, 100000);
        if (!x.ok()) return x.err();
        r.place.gpu_layers = *x;
    }
    if (auto v = n["threads"]) {
        auto x = count(c, v, "threads", 1, 1024);
        if (!x.ok()) return x.err();
        r.place.threads = *x;
    }
    if (auto v = n["parallel"]) {
        auto x = count(c, v, "parallel", 1, 256);
        if (!x.ok()) return x.err();
        r.place.parallel = *x;
    }
    if (auto v = n["gpu_mem"]) {
        auto s = scalar(c, v, "gpu_mem");
        if (!s.ok()) return s.err();
        auto b = parse_bytes(*s);
        if (!b) return c.at(v, "gpu_mem must be a size such as 6G or 512M, not '" + *s + "'");
        r.place.gpu_mem = *b;
    }
    if (auto v = n["system_prompt"]) {
        auto s = scalar(c, v, "system_prompt");
        if (!s.ok()) return s.err();
        r.system_prompt_name = *s;
    }
    return ok();
}

}  // namespace

std::optional<double> parse_duration_s(const std::string& text) {
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || v < 0) return std::nullopt;
    std::string unit(end);
    if (unit.empty() || unit == "s") return v;
    if (unit == "ms") return v / 1000;
    if (unit == "m") return v * 60;
    if (unit == "h") return v * 3600;
    return std::nullopt;
}

result<std::map<std::string, std::string>> load_system_prompts(const std::string& path) {
    std::ifstream in(path);
    if (!in) return error{path + ": cannot read the system prompts file"};
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_prompts(ss.str(), path);
}

result<rules_config> parse_rules(const std::string& text, const std::string& name, const std::string& base_dir) {
    ctx c{name};
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        return error{name + ":" + std::to_string(e.mark.line + 1) + ": not valid YAML: " + e.msg};
    }
    if (!root.IsMap()) return error{name + ": expected a map with 'rules:' and 'default:'"};
    rules_config cfg;
    cfg.source = name;
    static const std::set<std::string> top_keys = {"rules", "default", "hysteresis", "system_prompts", "auto_name"};
    for (const auto& kv : root) {
        auto key = scalar(c, kv.first, "a key");
        if (!key.ok()) return key.err();
        if (!top_keys.count(*key)) {
            return c.at(kv.first, "unknown key '" + *key + "' (expected rules, default, hysteresis, system_prompts, auto_name)");
        }
    }

    std::map<std::string, std::string> prompts;
    bool have_prompts = false;
    if (auto p = root["system_prompts"]) {
        auto s = scalar(c, p, "system_prompts");
        if (!s.ok()) return s.err();
        fs::path pp(*s);
        if (pp.is_relative() && !base_dir.empty()) pp = fs::path(base_dir) / pp;
        auto loaded = load_system_prompts(pp.string());
        if (!loaded.ok()) return c.at(p, loaded.message());
        prompts = std::move(loaded.value());
        have_prompts = true;
    }
    if (auto a = root["auto_name"]) {
        auto s = scalar(c, a, "auto_name");
        if (!s.ok()) return s.err();
        if (s->empty()) return c.at(a, "auto_name is empty");
        cfg.auto_name = *s;
    }

    if (auto h = root["hysteresis"]) {
        if (!h.IsMap()) return c.at(h, "hysteresis must be a map (battery: 5, free_ram: 1G, min_dwell: 30s, ...)");
        for (const auto& kv : h) {
            auto key = scalar(c, kv.first, "a key");
            if (!key.ok()) return key.err();
            auto val = scalar(c, kv.second, *key);
            if (!val.ok()) return val.err();
            if (*key == "min_dwell") {
                auto d = parse_duration_s(*val);
                if (!d) return c.at(kv.second, "min_dwell must be a duration such as 30s or 5m, not '" + *val + "'");
                cfg.min_dwell_s = *d;
                continue;
            }
            if (!is_numeric_variable(*key)) {
                return c.at(kv.first, "hysteresis for '" + *key +
                                          "': only numeric variables have margins (battery, free_ram, free_swap, "
                                          "free_gpu_mem, cpu_temp, load, prompt_tokens) plus min_dwell");
            }
            std::optional<double> m;
            if (is_byte_variable(*key)) {
                if (auto b = parse_bytes(*val)) m = double(*b);
            } else {
                std::string v = *val;
                if (*key == "battery" && !v.empty() && v.back() == '%') v.pop_back();
                char* end = nullptr;
                double d = std::strtod(v.c_str(), &end);
                if (!v.empty() && *end == '\0' && d >= 0) m = d;
            }
            if (!m) return c.at(kv.second, "hysteresis margin for " + *key + " must be a non-negative " +
                                               (is_byte_variable(*key) ? "size (512M)" : "number") + ", not '" + *val + "'");
            cfg.margins[*key] = *m;
        }
    }

    auto resolve_prompt = [&](rule& r, const YAML::Node& n) -> result<void> {
        if (r.system_prompt_name.empty()) return ok();
        if (!have_prompts) {
            return c.at(n["system_prompt"], "system_prompt '" + r.system_prompt_name +
                                                "' but the file names no system_prompts file");
        }
        auto it = prompts.find(r.system_prompt_name);
        if (it == prompts.end()) {
            return c.at(n["system_prompt"], "system_prompt '" + r.system_prompt_name + "' is not in the prompts file");
        }
        r.system_prompt = it->second;
        return ok();
    };

    auto rules = root["rules"];
    if (rules) {
        if (!rules.IsSequence()) return c.at(rules, "rules must be a list of rules (- when: ... model: ...)");
        std::set<std::string> names;
        int index = 0;
        for (const auto& n : rules) {
            ++index;
            if (!n.IsMap()) return c.at(n, "rule " + std::to_string(index) + " must be a map with when: and model:");
            rule r;
            r.line = n.Mark().line + 1;
            r.name = "rule " + std::to_string(index);
            if (auto nm = n["name"]) {
                auto s = scalar(c, nm, "name");
                if (!s.ok()) return s.err();
                if (s->empty()) return c.at(nm, "name is empty");
                r.name = *s;
            }
            if (!names.insert(r.name).second) return c.at(n, "two rules are named '" + r.name + "'");
            auto w = n["when"];
            if (!w) return c.at(n, "'" + r.name + "' has no when: condition (use default: for the fallback)");
            std::string expr;
            if (w.IsSequence()) {
                // A list of conditions means all of them.
                for (const auto& item : w) {
                    auto s = scalar(c, item, "a when: item");
                    if (!s.ok()) return s.err();
                    auto single = condition::parse(*s);
                    if (!single.ok()) return c.at(item, single.message());
                    expr += (expr.empty() ? "(" : " and (") + *s + ")";
                }
                if (expr.empty()) return c.at(w, "when: is an empty list");
            } else {
                auto s = scalar(c, w, "when");
                if (!s.ok()) return s.err();
                expr = *s;
            }
            auto cond = condition::parse(expr);
            if (!cond.ok()) return c.at(w, cond.message());
            r.when = std::move(cond.value());
            auto a = parse_action(c, n, r, {"name", "when"});
            if (!a.ok()) return a.err();
            auto p = resolve_prompt(r, n);
            if (!p.ok()) return p.err();
            cfg.rules.push_back(std::move(r));
        }
    }

    auto d = root["default"];
    if (!d) return error{name + ": no default: (the model to use when no rule matches)"};
    cfg.fallback.name = "default";
    cfg.fallback.line = d.Mark().line + 1;
    if (d.IsScalar()) {
        cfg.fallback.model = d.Scalar();
        if (cfg.fallback.model.empty()) return c.at(d, "default model is empty");
    } else if (d.IsMap()) {
        if (d["when"]) return c.at(d["when"], "default: takes no when: (it applies when no rule does)");
        auto a = parse_action(c, d, cfg.fallback, {"name"});
        if (!a.ok()) return a.err();
        auto p = resolve_prompt(cfg.fallback, d);
        if (!p.ok()) return p.err();
    } else {
        return c.at(d, "default must be a model name or a map with model:");
    }
    for (const auto& r : cfg.rules) {
        if (r.model == cfg.auto_name) return error{name + ":" + std::to_string(r.line) + ": '" + r.name + "' names the virtual model '" + cfg.auto_name + "' itself"};
    }
    if (cfg.fallback.model == cfg.auto_name) return c.at(d, "default names the virtual model '" + cfg.auto_name + "' itself");
    return cfg;
}

result<rules_config> load_rules(const std::string& path) {
    std::ifstream in(path);
    if (!in) return error{path + ": cannot read the rules file"};
    std::stringstream ss;
    ss << in.rdbuf();
    return parse_rules(ss.str(), path, fs::path(path).parent_path().string());
}

}  // namespace holo::policy
