#include "model/synth_weights.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string_view>

namespace holo {

namespace {

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t hash_name(std::string_view s) {
    uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001B3ull;
    }
    return h;
}

// Uniform in [-sqrt(3), sqrt(3)): zero mean, unit variance, cheap to draw.
inline float unit_uniform(uint32_t bits) {
    return (static_cast<float>(bits >> 8) * (1.0f / 16777216.0f) * 2.0f - 1.0f) * 1.7320508f;
}

double gaussian(uint64_t& state) {
    double u1 = (static_cast<double>(splitmix64(state) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    double u2 = static_cast<double>(splitmix64(state) >> 11) * (1.0 / 9007199254740992.0);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// rank_of[e]: the popularity rank of expert e in layer il.
std::vector<int> expert_ranks(const model_preset& p, uint64_t seed, int il) {
    std::vector<int> order(static_cast<size_t>(p.n_expert));
    std::iota(order.begin(), order.end(), 0);
    uint64_t st = seed ^ (0xA5A5A5A5ull + static_cast<uint64_t>(il) * 0x9E3779B97F4A7C15ull);
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[splitmix64(st) % i]);
    std::vector<int> rank_of(order.size());
    for (size_t r = 0; r < order.size(); ++r) rank_of[static_cast<size_t>(order[r])] = static_cast<int>(r);
    return rank_of;
}

std::vector<float> permute_scales(const std::vector<double>& by_rank, const std::vector<int>& rank_of) {
    std::vector<float> out(rank_of.size());
    for (size_t e = 0; e < out.size(); ++e) out[e] = static_cast<float>(by_rank[static_cast<size_t>(rank_of[e])]);
    return out;
}

}  // namespace

std::vector<double> zipf_target_shares(const model_preset& p, uint64_t seed, int il, double skew) {
    std::vector<int> rank_of = expert_ranks(p, seed, il);
    std::vector<double> t(rank_of.size());
    double sum = 0;
    for (size_t e = 0; e < t.size(); ++e) sum += t[e] = std::pow(rank_of[e] + 1.0, -skew);
    for (double& x : t) x /= sum;
    return t;
}

std::vector<double> zipf_rank_scales(int64_t n_expert, int64_t n_expert_used, double skew) {
    const size_t n = static_cast<size_t>(n_expert), k = static_cast<size_t>(n_expert_used);
    std::vector<double> s(n, 1.0);
    if (skew <= 0 || n == 0 || k == 0 || k >= n) return s;

    // A router logit is (row . x); for x with a random direction it is roughly
    // N(0, |row|^2 |x|^2 / n_embd), independent across experts. Scaling an expert's
    // row makes it win the top-k more or less often; fit the scales to the target
    // shares by simulating top-k selection on Gaussian logits (deterministic).
    // A symmetric logit is positive only half the time, so even an expert with a huge
    // scale is chosen for at most ~half of the tokens: targets are capped at 0.4/k of
    // the selections and the excess is spread over the others in proportion.
    std::vector<double> target(n);
    double sum = 0;
    for (size_t r = 0; r < n; ++r) sum += target[r] = std::pow(static_cast<double>(r) + 1.0, -skew);
    for (double& t : target) t /= sum;
    const double cap = 0.4 / static_cast<double>(k);
    for (int it = 0; it < 16; ++it) {
        double excess = 0, free_sum = 0;
        for (double& t : target) {
            if (t > cap) { excess += t - cap; t = cap; }
            else free_sum += t;
        }
        if (excess <= 1e-12 || free_sum <= 0) break;
        for (double& t : target) if (t < cap) t += excess * t / free_sum;
    }

    // Fit in log space; only ratios matter, so the geometric mean stays at 1.
    std::vector<double> log_s(n, 0.0), count(n);
    std::vector<std::pair<double, size_t>> logits(n);
    const int n_samples = 2048;
    for (int iter = 0; iter < 80; ++iter) {
        std::fill(count.begin(), count.end(), 0.0);
        uint64_t st = 0x5EED5EEDull;  // the same samples every iteration: a smooth fit
        for (int smp = 0; smp < n_samples; ++smp) {
            for (size_t e = 0; e < n; ++e) logits[e] = {std::exp(log_s[e]) * gaussian(st), e};
            std::partial_sort(logits.begin(), logits.begin() + static_cast<long>(k), logits.end(),
                              [](auto& a, auto& b) { return a.first > b.first; });
            for (size_t j = 0; j < k; ++j) count[logits[j].second] += 1;
        }
        const double total = static_cast<double>(n_samples) * static_cast<double>(k);
        double mean = 0;
        for (size_t e = 0; e < n; ++e) {
            const double got = std::max(count[e] / total, 0.25 / total);
            log_s[e] += 0.25 * std::log(target[e] / got);
            mean += log_s[e];
        }
        mean /= static_cast<double>(n);
        for (double& x : log_s) x = std::clamp(x - mean, -6.0, 6.0);
    }
    // Targets fall with rank, so must the scales; sorting removes sampling noise.
    std::sort(log_s.rbegin(), log_s.rend());
    for (size_t e = 0; e < n; ++e) s[e] = std::exp(log_s[e]);
    return s;
}

std::vector<float> router_row_scales(const model_preset& p, uint64_t seed, int il, double skew) {
    return permute_scales(zipf_rank_scales(p.n_expert, p.n_expert_used, skew), expert_ranks(p, seed, il));
}

synth_weight_source::synth_weight_source(const model_preset& p, uint64_t seed, double routing_skew)
    : p_(p), seed_(seed) {
    if (p.is_moe()) {
        const std::vector<double> by_rank = zipf_rank_scales(p.n_expert, p.n_expert_used, routing_skew);
        for (int il = 0; il < static_cast<int>(p.n_layer); ++il) {
            router_scales_.push_back(permute_scales(by_rank, expert_ranks(p, seed, il)));
        }
    }
}

void synth_weight_source::fill(const planned_tensor& t, int64_t row0, int64_t n_rows, float* dst) const {
    using K = weight_kind;
    const int64_t n = t.row_length();
    const uint64_t tensor_seed = seed_ ^ hash_name(t.name);
    // Standard deviation and mean of the values, by what the tensor does.
    float std_dev = 1.0f / std::sqrt(static_cast<float>(n));  // projections: 1/sqrt(fan_in)
    float mean = 0.0f;
    if (t.is_bias) {
        std_dev = 0.02f;
    } else if (t.role() == weight_role::norm) {
        mean = 1.0f;
        std_dev = 0.05f;
    } else if (t.kind == K::token_embd) {
        std_dev = 1.0f / std::sqrt(static_cast<float>(p_.n_embd));
    }
    for (int64_t r = row0; r < row0 + n_rows; ++r) {
        float s = std_dev;
        if (t.kind == K::ffn_gate_inp && t.il >= 0 && !router_scales_.empty()) {
            s *= router_scales_[static_cast<size_t>(t.il)][static_cast<size_t>(r)];  // row r = expert r
        }
        uint64_t st = tensor_seed ^ (static_cast<uint64_t>(r) * 0xD1B54A32D192ED03ull);
        float* out = dst + (r - row0) * n;
        int64_t i = 0;
        for (; i + 1 < n; i += 2) {
            uint64_t bits = splitmix64(st);
            out[i] = mean + s * unit_uniform(static_cast<uint32_t>(bits));
            out[i + 1] = mean + s * unit_uniform(static_cast<uint32_t>(bits >> 32));
        }
        if (i < n) out[i] = mean + s * unit_uniform(static_cast<uint32_t>(splitmix64(st)));
    }
}

}  // namespace holo
