// A rule's `when:` expression: comparisons over the device state and the request
// (`battery < 20`, `free_ram >= 8G`, `prompt_tokens > 4000`, `load >= 2`), flags
// (`charging`, `throttled`), `request.tags contains code`, `time in 22:00-07:00`,
// combined with not/and/or and parentheses. Evaluation is three-valued: a fact
// from a source that is unknown makes a leaf unknown, and a rule fires only when
// its condition is definitely true.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "policy/device_state.h"

namespace holo::policy {

// What a request contributes to the decision.
struct request_info {
    std::vector<std::string> tags;
    int64_t prompt_tokens = -1;  // -1: unknown
};

struct eval_input {
    const device_state* state = nullptr;
    request_info request;
    int minute_of_day = -1;  // local time, 0..1439; -1: unknown
};

enum class tri { no, yes, unknown };

// Hysteresis direction: `relax` makes numeric comparisons easier to satisfy by the
// variable's margin (the rule already chosen keeps holding until the value has
// crossed its threshold by the margin); `tighten` is what relax becomes under not.
enum class bias { strict, relax, tighten };

struct condition_node;

class condition {
public:
    condition() = default;
    // Errors name the column (1-based) in `text` and what was expected there.
    static result<condition> parse(const std::string& text);

    // `trace` (optional) gets one line per leaf: "battery < 20: battery=57% -> false".
    tri eval(const eval_input& in, bias b, const std::map<std::string, double>& margins,
             std::vector<std::string>* trace = nullptr) const;
    const std::string& text() const { return text_; }
    bool empty() const { return !root_; }

private:
    std::shared_ptr<const condition_node> root_;
    std::string text_;
};

// Variables a comparison may name, and whether their values are byte sizes.
bool is_numeric_variable(const std::string& name);
bool is_byte_variable(const std::string& name);

}  // namespace holo::policy
