#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/error.h"

namespace holo {

void apply_penalties(std::span<float> logits, std::span<const int32_t> history, float repeat,
                     float frequency, float presence) {
    if (repeat == 1.0f && frequency == 0.0f && presence == 0.0f) return;
    std::unordered_map<int32_t, int> counts;
    for (int32_t id : history) {
        if (id >= 0 && size_t(id) < logits.size()) ++counts[id];
    }
    for (auto [id, c] : counts) {
        float& l = logits[id];
        l = l > 0 ? l / repeat : l * repeat;
        l -= float(c) * frequency + presence;
    }
}

void sort_and_softmax(std::vector<token_candidate>& c) {
    std::sort(c.begin(), c.end(), [](const token_candidate& a, const token_candidate& b) {
        return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
    });
    if (c.empty()) return;
    const float max_logit = c.front().logit;
    if (max_logit == -INFINITY) {  // nothing is possible: treat all as equally (un)likely
        for (auto& x : c) x.p = 1.0f / float(c.size());
        return;
    }
    double sum = 0;
    for (auto& x : c) {
        x.p = std::exp(x.logit - max_logit);
        sum += x.p;
    }
    for (auto& x : c) x.p = float(x.p / sum);
}

void keep_top_k(std::vector<token_candidate>& c, int32_t k) {
    if (k <= 0 || size_t(k) >= c.size()) return;
    c.resize(size_t(std::max(k, 1)));
}

void keep_top_p(std::vector<token_candidate>& c, float p) {
    if (p >= 1.0f || c.empty()) return;
    double total = 0;
    for (auto& x : c) total += x.p;
    double cum = 0;
    size_t keep = c.size();
    for (size_t i = 0; i < c.size(); ++i) {
        cum += c[i].p / total;
        if (cum >= p) {
            keep = i + 1;
            break;
        }
    }
    c.resize(std::max<size_t>(keep, 1));
}

void keep_min_p(std::vector<token_candidate>& c, float p) {
    if (p <= 0.0f || c.empty()) return;
    float top = 0;
    for (auto& x : c) top = std::max(top, x.p);
    const float threshold = p * top;
    size_t keep = 0;
    while (keep < c.size() && c[keep].p >= threshold) ++keep;
    c.resize(std::max<size_t>(keep, 1));
}

sampler::sampler(const sampler_params& params) : params_(params), rng_(params.seed) {}

void sampler::reset() {
    history_.clear();
    rng_.seed(params_.seed);
}

void sampler::accept(int32_t id) {
    if (params_.penalty_last_n <= 0) return;
    history_.push_back(id);
    while (history_.size() > size_t(params_.penalty_last_n)) history_.pop_front();
}

int32_t sampler::sample(std::span<const float> logits) {
    HOLO_ASSERT(!logits.empty(), "sampling from an empty logits vector");
    scratch_.assign(logits.begin(), logits.end());
    if (!history_.empty()) {
        std::vector<int32_t> hist(history_.begin(), history_.end());
        apply_penalties(scratch_, hist, params_.repeat_penalty, params_.frequency_penalty,
                        params_.presence_penalty);
    }
    if (params_.temperature <= 0.0f) {
        // NaN logits never win: a corrupt row should not silently pick token 0.
        int32_t best = 0;
        for (size_t i = 1; i < scratch_.size(); ++i) {
            if (scratch_[i] > scratch_[best] || std::isnan(scratch_[best])) best = int32_t(i);
        }
        return best;
    }
    candidates_.resize(scratch_.size());
    // NaN would break the sort's ordering (and so the sort itself): a corrupt row
    // samples as if those tokens were impossible.
    for (size_t i = 0; i < scratch_.size(); ++i) {
        candidates_[i] = {int32_t(i), std::isnan(scratch_[i]) ? -INFINITY : scratch_[i], 0.0f};
    }
    // Sorting all of a 150k vocabulary per token costs more than the draw; when top-k
    // is on, partial-sort first so the full sort only sees k entries.
    if (params_.top_k > 0 && size_t(params_.top_k) < candidates_.size()) {
        std::nth_element(candidates_.begin(), candidates_.begin() + params_.top_k, candidates_.end(),
                         [](const token_candidate& a, const token_candidate& b) {
                             return a.logit != b.logit ? a.logit > b.logit : a.id < b.id;
                         });
        candidates_.resize(size_t(params_.top_k));
    }
    sort_and_softmax(candidates_);
    keep_top_k(candidates_, params_.top_k);
    keep_top_p(candidates_, params_.top_p);
    keep_min_p(candidates_, params_.min_p);
    // Temperature scales the surviving logits; the final softmax sets the draw weights.
    for (auto& x : candidates_) x.logit /= params_.temperature;
    sort_and_softmax(candidates_);
    // Our own uniform → index mapping, so the draw does not depend on the standard
    // library's distribution implementation.
    const double u = double(rng_() >> 11) * 0x1.0p-53;
    double cum = 0;
    for (const auto& x : candidates_) {
        cum += x.p;
        if (u < cum) return x.id;
    }
    return candidates_.back().id;
}

}  // namespace holo
