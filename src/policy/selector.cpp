#include "policy/selector.h"

namespace holo::policy {
namespace {

const char* tri_word(tri t) { return t == tri::yes ? "true" : t == tri::no ? "false" : "unknown"; }

}  // namespace

std::string decision::summary() const {
    std::string s = "rule '" + rule + "'";
    if (rule_line > 0) s += " (line " + std::to_string(rule_line) + ")";
    s += " -> " + model;
    if (!held_by.empty()) s += " [held by " + held_by + "]";
    return s;
}

decision selector::make(int index) const {
    const rule& r = index >= 0 ? cfg_.rules[size_t(index)] : cfg_.fallback;
    decision d;
    d.model = r.model;
    d.rule = r.name;
    d.rule_index = index;
    d.rule_line = r.line;
    d.place = r.place;
    d.system_prompt = r.system_prompt;
    return d;
}

decision selector::decide(const eval_input& in, int current) const {
    std::vector<std::string> why;
    int chosen = -1;
    bool by_margin = false;
    for (size_t i = 0; i < cfg_.rules.size() && chosen < 0; ++i) {
        const rule& r = cfg_.rules[i];
        const bool is_current = int(i) == current;
        std::vector<std::string> trace;
        tri t = r.when.eval(in, is_current ? bias::relax : bias::strict, cfg_.margins, &trace);
        std::string head = "rule '" + r.name + "' (line " + std::to_string(r.line) + "): " + r.when.text() + " -> " +
                           tri_word(t);
        if (is_current) head += " (current rule, thresholds relaxed by the hysteresis margins)";
        why.push_back(head);
        for (auto& line : trace) why.push_back("  " + line);
        if (t == tri::yes) {
            chosen = int(i);
            // Did only the margin keep it? Then say so.
            if (is_current && r.when.eval(in, bias::strict, cfg_.margins) != tri::yes) by_margin = true;
        }
    }
    if (chosen < 0) why.push_back("no rule matched: default -> " + cfg_.fallback.model);
    decision d = make(chosen);
    d.why = std::move(why);
    if (by_margin) d.held_by = "hysteresis margin";
    return d;
}

decision selector::evaluate(const eval_input& in) const {
    return decide(in, -2);
}

decision selector::select(const eval_input& in, double now_s) {
    std::lock_guard<std::mutex> lock(mutex_);
    decision d = decide(in, current_);
    if (current_ != -2 && d.rule_index != current_ && now_s - last_switch_s_ < cfg_.min_dwell_s) {
        // Too soon after the last switch: keep the current choice, report what would have won.
        auto why = std::move(d.why);
        why.push_back("would switch to '" + d.rule + "' but the last switch was " +
                      std::to_string(int(now_s - last_switch_s_)) + "s ago (min_dwell " +
                      std::to_string(int(cfg_.min_dwell_s)) + "s)");
        d = make(current_);
        d.why = std::move(why);
        d.held_by = "min_dwell";
        return d;
    }
    if (d.rule_index != current_) {
        d.switched = current_ != -2;
        current_ = d.rule_index;
        last_switch_s_ = now_s;
    }
    return d;
}

}  // namespace holo::policy
