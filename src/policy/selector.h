// Picks the rule for the machine's state and a request, with hysteresis: the rule
// chosen last time is evaluated with its numeric thresholds relaxed by the
// configured margins, and no switch happens within min_dwell of the last one, so
// a battery hovering at a threshold does not thrash models. Thread-safe: the
// server's HTTP threads share one selector.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "policy/rules.h"

namespace holo::policy {

struct decision {
    std::string model;
    std::string rule;              // the rule's name, or "default"
    int rule_index = -1;           // into rules_config::rules; -1: the default
    int rule_line = 0;
    placement place;
    std::string system_prompt;     // resolved text, empty for none
    bool switched = false;         // differs from the previous decision
    std::string held_by;           // non-empty when hysteresis kept the previous choice
    std::vector<std::string> why;  // each rule tried and its leaves, for --explain and logs
    std::string summary() const;   // one line: "rule 'x' (line N) -> model [held by ...]"
};

class selector {
public:
    explicit selector(rules_config cfg) : cfg_(std::move(cfg)) {}

    // Decides and remembers the choice (for hysteresis). `now_s`: a monotonic clock.
    decision select(const eval_input& in, double now_s);
    // Decides without hysteresis or memory (holo select).
    decision evaluate(const eval_input& in) const;

    const rules_config& config() const { return cfg_; }

private:
    decision decide(const eval_input& in, int current) const;
    decision make(int index) const;

    rules_config cfg_;
    std::mutex mutex_;
    int current_ = -2;  // -2: nothing chosen yet
    double last_switch_s_ = 0;
};

}  // namespace holo::policy
