// Summary statistics for `holo bench`: mean and sample standard deviation of the
// per-repetition rates, as llama-bench reports them.
#pragma once

#include <vector>

namespace holo {

struct mean_sd {
    double mean = 0;
    double sd = 0;  // sample (n - 1) standard deviation; 0 for fewer than two values
};

mean_sd summarize(const std::vector<double>& values);

}  // namespace holo
