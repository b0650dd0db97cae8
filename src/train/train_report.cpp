#include "train/train_report.h"

#include <algorithm>
#include <cmath>

namespace holo {

double load_cv(const std::vector<int64_t>& load, int64_t il, int64_t n_expert) {
    double sum = 0, sum2 = 0;
    for (int64_t e = 0; e < n_expert; ++e) {
        const double x = double(load[size_t(il * n_expert + e)]);
        sum += x;
        sum2 += x * x;
    }
    if (sum <= 0) return 0;
    const double mean = sum / double(n_expert);
    const double var = std::max(0.0, sum2 / double(n_expert) - mean * mean);
    return std::sqrt(var) / mean;
}

double mean_load_cv(const std::vector<int64_t>& load, int64_t n_layer, int64_t n_expert) {
    double s = 0;
    for (int64_t il = 0; il < n_layer; ++il) s += load_cv(load, il, n_expert);
    return n_layer > 0 ? s / double(n_layer) : 0;
}

std::string utilization_table(const std::vector<int64_t>& load, int64_t n_layer, int64_t n_expert,
                              double capacity_factor) {
    std::string out = "layer";
    char buf[64];
    for (int64_t e = 0; e < n_expert; ++e) {
        std::snprintf(buf, sizeof buf, "  e%-3lld", (long long)e);
        out += buf;
    }
    std::snprintf(buf, sizeof buf, "    cv  max/mean  over-cap(%.2f)\n", capacity_factor);
    out += buf;
    for (int64_t il = 0; il < n_layer; ++il) {
        double sum = 0, mx = 0;
        for (int64_t e = 0; e < n_expert; ++e) {
            sum += double(load[size_t(il * n_expert + e)]);
            mx = std::max(mx, double(load[size_t(il * n_expert + e)]));
        }
        std::snprintf(buf, sizeof buf, "%5lld", (long long)il);
        out += buf;
        const double mean = sum / double(n_expert), cap = capacity_factor * mean;
        double over = 0;
        for (int64_t e = 0; e < n_expert; ++e) {
            const double x = double(load[size_t(il * n_expert + e)]);
            over += std::max(0.0, x - cap);
            std::snprintf(buf, sizeof buf, " %5.1f", sum > 0 ? 100.0 * x / sum : 0.0);
            out += buf;
        }
        std::snprintf(buf, sizeof buf, "  %5.3f  %8.2f  %12.1f%%\n", load_cv(load, il, n_expert),
                      mean > 0 ? mx / mean : 0.0, sum > 0 ? 100.0 * over / sum : 0.0);
        out += buf;
    }
    return out;
}

void append_utilization_tsv(std::FILE* f, int64_t step, const std::vector<int64_t>& load, int64_t n_layer,
                            int64_t n_expert, bool header) {
    if (header) {
        std::fprintf(f, "step\tlayer");
        for (int64_t e = 0; e < n_expert; ++e) std::fprintf(f, "\te%lld", (long long)e);
        std::fprintf(f, "\tcv\n");
    }
    for (int64_t il = 0; il < n_layer; ++il) {
        double sum = 0;
        for (int64_t e = 0; e < n_expert; ++e) sum += double(load[size_t(il * n_expert + e)]);
        std::fprintf(f, "%lld\t%lld", (long long)step, (long long)il);
        for (int64_t e = 0; e < n_expert; ++e)
            std::fprintf(f, "\t%.4f", sum > 0 ? double(load[size_t(il * n_expert + e)]) / sum : 0.0);
        std::fprintf(f, "\t%.4f\n", load_cv(load, il, n_expert));
    }
    std::fflush(f);
}

}  // namespace holo
