// The rules file (YAML): ordered rules, each a `when:` condition and an action
// (model plus placement overrides and a named system prompt), a default, and the
// hysteresis settings. docs/selection.md describes the format; every error names
// the file and line.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "policy/condition.h"

namespace holo::policy {

// Overrides of how the chosen model is placed; unset fields keep the server's.
struct placement {
    std::optional<int64_t> gpu_layers;
    std::optional<int64_t> gpu_mem;   // bytes
    std::optional<int64_t> threads;
    std::optional<int64_t> parallel;
};

struct rule {
    std::string name;
    condition when;                 // empty for the default
    std::string model;
    placement place;
    std::string system_prompt_name;
    std::string system_prompt;      // the text, resolved from the prompts file
    int line = 0;                   // 1-based, where the rule starts
};

struct rules_config {
    std::vector<rule> rules;
    rule fallback;                                // `default:`
    std::map<std::string, double> margins;        // hysteresis per numeric variable
    double min_dwell_s = 0;                       // no switch sooner than this after the last one
    std::string auto_name = "auto";
    std::string source;                           // the file, for messages
};

result<rules_config> load_rules(const std::string& path);
// `name` is used in messages; `base_dir` resolves a relative system_prompts path.
result<rules_config> parse_rules(const std::string& text, const std::string& name, const std::string& base_dir);
// A system-prompts file: a map of name -> text (optionally under `prompts:`).
result<std::map<std::string, std::string>> load_system_prompts(const std::string& path);

// "30s", "5m", "1h", "250ms", or a plain number of seconds.
std::optional<double> parse_duration_s(const std::string& text);

}  // namespace holo::policy
