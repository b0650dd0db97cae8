#include "runtime/bench_stats.h"

#include <cmath>

namespace holo {

mean_sd summarize(const std::vector<double>& values) {
    mean_sd r;
    if (values.empty()) return r;
    double sum = 0;
    for (double v : values) sum += v;
    r.mean = sum / double(values.size());
    if (values.size() < 2) return r;
    double ss = 0;
    for (double v : values) ss += (v - r.mean) * (v - r.mean);
    r.sd = std::sqrt(ss / double(values.size() - 1));
    return r;
}

}  // namespace holo
